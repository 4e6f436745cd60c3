// The host as every changing command takes it: a kernel adapter, the lock, and their release. Apart from the
// files' front half (context.ts) so that a command without files (`destroy`) does not load the topology code.
import { ManagedError, UsageError } from '../errors.js';
import { createKernel, thisProcess } from '../kernel/index.js';
import type { HostLock, Kernel } from '../kernel/port.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { withFaultInjection } from './fault.js';

/** Before changing a project on the host: refuse when `ctnet watch` manages it, then wait for any other
 *  writer (an apply of another project, a pass of a daemon). */
export async function takeHost(kernel: Kernel, timeoutMs = 30_000, projects: string[] = [DEFAULT_PROJECT]): Promise<HostLock> {
  for (const p of projects) {
    const manager = await kernel.manager(p);
    if (manager) throw new ManagedError(manager, p);
  }
  return kernel.lock('write', thisProcess(), timeoutMs);
}

/** Run `fn` with a kernel adapter (and the test hooks of fault.ts) and, when `lock` is given, with the host
 *  taken (takeHost); the lock and the adapter are released however `fn` ends. */
export async function onHost<T>(lock: { timeoutMs?: number; projects?: string[] } | undefined, fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  const kernel = withFaultInjection(await createKernel());
  let held: HostLock | undefined;
  try {
    if (lock) held = await takeHost(kernel, lock.timeoutMs, lock.projects);
    return await fn(kernel);
  } finally {
    held?.release();
    await kernel.close();
  }
}

/** --lock-timeout SECONDS (default 30) in ms; a usage error when it is not a number. */
export function lockTimeoutMs(text: string | undefined): number {
  if (text === undefined) return 30_000;
  const s = Number(text);
  if (!(s >= 0)) throw new UsageError(`--lock-timeout "${text}": expected a number of seconds (0 or more)`);
  return s * 1000;
}
