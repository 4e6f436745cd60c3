// One writer at a time (TOPOLOGY.md). A host lock is an abstract unix socket bound in the host
// namespace (`@ctnet-write`, `@ctnet-watch:<project>`): only one process can bind a name; abstract names belong
// to their network namespace, so two sandboxes (or two ctnet hosts on one machine) never share one and
// nothing is left on disk; and the kernel frees the name when its holder dies, so a killed process
// never leaves a lock behind. Whoever holds a lock answers a connection with who it is (pid, command,
// files), which is how a process that waits names it.
//   write            held by apply and destroy while they change the host, and by each pass of `ctnet watch`
//   watch:<project>  held by the `ctnet watch` daemon that manages that project, for its life
// The addon binds the name (native/hostlock.c) in both forms earlier ctnets bound it through node:net, padded
// with NULs on Node 20 and 22, exact on Node 24, and answers from a thread of its own.
import { LockError } from '../errors.js';
import type { NsCtx } from './nsctx.js';
import type { HostLock, LockHolder, LockKind } from './port.js';
import { native } from './setns.js';

const POLL_MS = 50;
const ASK_MS = 1_000;
const nameOf = (kind: LockKind) => `ctnet-${kind}`;

/** Who holds the lock (undefined: nobody, or a holder that did not say within ASK_MS). */
export async function holderOf(ctx: NsCtx, kind: LockKind): Promise<LockHolder | undefined> {
  const text = ctx.enter('host', () => native().lockAsk(nameOf(kind), ASK_MS));
  try {
    return text ? JSON.parse(text) as LockHolder : undefined;
  } catch {
    return undefined; // an answer cut short
  }
}

/** Take the lock, waiting up to timeoutMs (0: not at all) for its holder to finish. Holding a lock never
 *  keeps the process alive by itself. */
export async function lockHost(ctx: NsCtx, kind: LockKind, me: LockHolder, timeoutMs: number): Promise<HostLock> {
  const deadline = Date.now() + timeoutMs;
  const answer = JSON.stringify(me) + '\n';
  for (;;) {
    const id = ctx.enter('host', () => native().lockHold(nameOf(kind), answer));
    if (id !== null) return { release: () => native().lockRelease(id) };
    if (Date.now() >= deadline) throw new LockError(kind, await holderOf(ctx, kind), timeoutMs);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** This process, as a lock holder names it to whoever waits. */
export function thisProcess(files?: string[]): LockHolder {
  return { pid: process.pid, command: `ctnet ${process.argv.slice(2).join(' ')}`, since: new Date().toISOString(), ...(files ? { files } : {}) };
}
