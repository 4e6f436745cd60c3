// Kernel failures as KernelError: what was attempted (quoted names and the
// namespace), the errno, and what the operator can do about it.
import { KernelError } from '../errors.js';
import { errnoName, NlError } from './nlsock.js';

const GENERIC: Record<string, string> = {
  EPERM: 'run ctnet as root (CAP_NET_ADMIN and CAP_SYS_ADMIN are needed)',
  EACCES: 'run ctnet as root',
  ENODEV: 'the link is gone: run `ctnet plan` again to see the current state',
  ENOENT: 'it is gone: run `ctnet plan` again to see the current state',
  ETIMEDOUT: 'the kernel is very busy (rtnl lock contention): try again',
  ENOBUFS: 'the netlink socket overflowed: try again',
  ENETUNREACH: 'the gateway is not on a connected subnet of that namespace: check the addresses',
  EADDRNOTAVAIL: 'the address is not configured there',
  ESRCH: 'no such route owned by ctnet: run `ctnet plan` again',
  EBUSY: 'something still uses it',
};

function errnoOf(e: unknown): string | undefined {
  if (e instanceof NlError) return e.errno;
  // fs errors carry a code (and a negative errno); the addon's only a positive errno.
  const { code, errno } = (e ?? {}) as { code?: string; errno?: number };
  if (code) return code;
  return typeof errno === 'number' ? errnoName(errno) : undefined;
}

/** Wrap any failure of `action`. `advice` maps errno names to advice that beats the generic one. */
export function kernelError(action: string, e: unknown, advice: Record<string, string> = {}): KernelError {
  if (e instanceof KernelError) return e;
  const errno = errnoOf(e);
  const detail = e instanceof Error ? e.message : String(e);
  return new KernelError(action, errno, detail, (errno && (advice[errno] ?? GENERIC[errno])) || undefined);
}

/** Run fn, turning any failure into a KernelError for `action`. */
export async function attempt<T>(action: string, fn: () => Promise<T> | T, advice?: Record<string, string>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kernelError(action, e, advice);
  }
}
