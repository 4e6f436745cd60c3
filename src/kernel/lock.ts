// One writer at a time (TOPOLOGY.md): a host namespace's locks are flock(2)s on files under
// /run/ctnet/lock, named by the host namespace's cookie, so two sandboxes (or two ctnet hosts on one
// machine) never share one, and the kernel drops a lock with the last descriptor: a killed holder
// never leaves one behind. Whoever holds a lock writes who it is into the file, so that the one
// waiting can name it.
//   write  held by apply and destroy while they change the host (and by `ctnet watch` for its life)
//   watch  held by the `ctnet watch` daemon that manages the host
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { LockError } from '../errors.js';
import { hostMark } from './netns.js';
import type { NsCtx } from './nsctx.js';
import type { HostLock, LockHolder } from './port.js';
import { native } from './setns.js';

const DIR = '/run/ctnet/lock';
const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
const POLL_MS = 50;

const pathOf = (ctx: NsCtx, kind: 'write' | 'watch') => {
  const m = hostMark(ctx);
  return `${DIR}/${(m.cookie ?? m.host).replace(/[^0-9a-z]/gi, '_')}.${kind}`;
};

function open(path: string): number {
  mkdirSync(DIR, { recursive: true });
  return openSync(path, 'a+', 0o644);
}

function holderIn(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined; // being written, or never was
  }
}

/** Take the lock, waiting up to timeoutMs (0: not at all) for its holder to finish. */
export async function lockHost(ctx: NsCtx, kind: 'write' | 'watch', me: LockHolder, timeoutMs: number): Promise<HostLock> {
  const path = pathOf(ctx, kind);
  const fd = open(path);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (native().flock(fd, LOCK_EX | LOCK_NB)) break;
    if (Date.now() >= deadline) {
      closeSync(fd);
      throw new LockError(kind, holderIn(path), timeoutMs);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  ftruncateSync(fd, 0);
  writeSync(fd, JSON.stringify(me) + '\n', 0);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try { ftruncateSync(fd, 0); native().flock(fd, LOCK_UN); } finally { closeSync(fd); }
    },
  };
}

/** The `ctnet watch` daemon managing this host, if one runs (it holds the watch lock). */
export function hostManager(ctx: NsCtx): LockHolder | undefined {
  const path = pathOf(ctx, 'watch');
  const fd = open(path);
  try {
    if (native().flock(fd, LOCK_SH | LOCK_NB)) { native().flock(fd, LOCK_UN); return undefined; }
    return holderIn(path) ?? { pid: 0, command: 'ctnet watch' };
  } finally {
    closeSync(fd);
  }
}

/** This process, as a lock holder names it to whoever waits. */
export function thisProcess(files?: string[]): LockHolder {
  return { pid: process.pid, command: `ctnet ${process.argv.slice(2).join(' ')}`, since: new Date().toISOString(), ...(files ? { files } : {}) };
}
