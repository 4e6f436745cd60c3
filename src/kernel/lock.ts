// One writer at a time (TOPOLOGY.md). A host lock is an abstract unix socket bound in the host
// namespace (`@ctnet-write`, `@ctnet-watch:<project>`): only one process can bind a name; abstract names belong
// to their network namespace, so two sandboxes (or two ctnet hosts on one machine) never share one and
// nothing is left on disk; and the kernel frees the name when its holder dies, so a killed process
// never leaves a lock behind. Whoever holds a lock answers a connection with who it is (pid, command,
// files), which is how a process that waits names it.
//   write            held by apply and destroy while they change the host, and by each pass of `ctnet watch`
//   watch:<project>  held by the `ctnet watch` daemon that manages that project, for its life
import type { Server } from 'node:net';
import { builtin } from '../builtin.js';
import { LockError } from '../errors.js';
import type { NsCtx } from './nsctx.js';
import type { HostLock, LockHolder, LockKind } from './port.js';

const POLL_MS = 50;
const ASK_MS = 1_000;
const nameOf = (kind: LockKind) => `\0ctnet-${kind}`;
const net = () => builtin<typeof import('node:net')>('node:net');

/** Bind the name, or undefined when another process holds it. The socket is made inside the host
 *  namespace (synchronously, within enter), then lives there. */
function bind(ctx: NsCtx, kind: LockKind, me: LockHolder): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net().createServer((sock) => {
      // Whoever asked may be gone before the answer is written (EPIPE, ECONNRESET): nothing to do about it, and
      // unheard, the error would end this process in the middle of its work.
      sock.on('error', () => undefined);
      sock.end(JSON.stringify(me) + '\n');
    });
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    ctx.enter('host', () => server.listen(nameOf(kind), () => resolve(server)));
  });
}

/** Who holds the lock (undefined: nobody, or a holder too busy to say within ASK_MS). */
export function holderOf(ctx: NsCtx, kind: LockKind): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const sock = ctx.enter('host', () => net().connect(nameOf(kind)));
    const done = (h: LockHolder | undefined) => { clearTimeout(timer); sock.destroy(); resolve(h); };
    const timer = setTimeout(() => done(undefined), ASK_MS);
    sock.on('data', (d) => { text += String(d); });
    sock.on('end', () => { try { done(JSON.parse(text) as LockHolder); } catch { done(undefined); } });
    sock.on('error', () => done(undefined)); // ECONNREFUSED: nobody holds it
  });
}

/** Take the lock, waiting up to timeoutMs (0: not at all) for its holder to finish. */
export async function lockHost(ctx: NsCtx, kind: LockKind, me: LockHolder, timeoutMs: number): Promise<HostLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = await bind(ctx, kind, me);
    if (server) {
      server.unref(); // holding a lock never keeps the process alive by itself
      return { release: () => { server.close(); } };
    }
    if (Date.now() >= deadline) throw new LockError(kind, await holderOf(ctx, kind), timeoutMs);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** This process, as a lock holder names it to whoever waits. */
export function thisProcess(files?: string[]): LockHolder {
  return { pid: process.pid, command: `ctnet ${process.argv.slice(2).join(' ')}`, since: new Date().toISOString(), ...(files ? { files } : {}) };
}
