// A guarded rtnetlink socket bound to one namespace. netlink@0.3.0 has sharp
// edges (KERNEL-FACTS A4/A6): an overrun closes the socket and leaves requests
// hanging, rejections are bare "Request rejected: EEXIST" strings, and the
// kernel refuses a second dump on a socket while one runs. So: a 4 MB receive
// buffer, at most 32 requests in flight, a timeout on every request, dumps one
// at a time, errno names parsed out, and a broken socket is reopened lazily.
import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import { builtin } from '../builtin.js';
import { NlError } from '../errors.js';
import { NLM_F } from './nlmsg.js';

/** node:util, required at the first error (imported, Node 22 evaluates every export of it: ~2 ms of a start). */
const util = () => builtin<typeof import('node:util')>('node:util');

const MAX_IN_FLIGHT = 32;
const TIMEOUT_MS = 15_000;
const DUMP_RETRIES = 5;

export { NlError };

/** "ENOENT" for 2 (either sign); `errno N` for a number libuv does not know. */
export function errnoName(errno: number): string {
  try {
    return util().getSystemErrorName(-Math.abs(errno));
  } catch {
    return `errno ${errno}`;
  }
}

let describe: Map<string, string> | undefined;
/** "EEXIST" -> "File exists" (libuv's table). */
function errnoText(name: string): string {
  describe ??= new Map([...util().getSystemErrorMap().values()].map(([n, text]) => [n, text]));
  return describe.get(name) ?? name;
}

function toNlError(e: unknown): NlError {
  if (e instanceof NlError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const rejected = /^Request rejected: (\w+)/.exec(msg);
  if (rejected) return new NlError(rejected[1], `the kernel answered ${rejected[1]} (${errnoText(rejected[1]).toLowerCase()})`);
  if (msg.startsWith('Timeout')) return new NlError('ETIMEDOUT', 'no answer from the kernel within 15 s');
  // fs errors carry code + negative errno; our addon's only a positive errno.
  const { code, errno } = e as { code?: string; errno?: number };
  const name = code ?? (typeof errno === 'number' ? errnoName(errno) : 'EIO');
  return new NlError(name, msg);
}

/** The `netlink` package, loaded at the first request: its JavaScript and its native binding are ~5 ms of a
 *  start, and a plan makes no request (namespaces are read by ctnet's addon, readns.ts). */
type Netlink = Pick<typeof import('netlink'), 'createNetlink'>;
let netlink: Netlink | undefined;
let loading: Promise<void> | undefined;
// A CommonJS package: its exports are the default export of the ES module Node (or the bundle) makes of it.
export const loadNetlink = () => (loading ??= import('netlink').then((m) => { netlink = (m as unknown as { default: Netlink }).default; }));

/** The package where it must be there already: event sockets are opened synchronously (createKernel({ events })). */
export function netlinkNow(): Netlink {
  if (!netlink) throw new Error('the netlink package was not loaded (createKernel({ events: true }) loads it)');
  return netlink;
}

/** Open a NETLINK_ROUTE socket; the caller decides in which namespace (inNetns). Only after loadNetlink(). */
export function openRouteSocket(): NetlinkSocket {
  const s = netlinkNow().createNetlink(0 /* NETLINK_ROUTE */);
  s.setRecvBufferSize(4 << 20);
  return s;
}

export class NlSock {
  private sock?: NetlinkSocket;
  /** Our netlink port: passed with each request, or the binding asks the kernel (getsockname) every time. */
  private port = 0;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private failPending = new Set<(e: Error) => void>();
  private dumpChain: Promise<unknown> = Promise.resolve();

  /** `open` creates the socket inside the right namespace; it is called again after a failure. `prepare`, if
   *  given, is awaited once before the first request (loadNetlink for openRouteSocket). */
  constructor(private readonly open: () => NetlinkSocket, private prepare?: () => Promise<void>) {}

  private socket(): NetlinkSocket {
    if (this.sock) return this.sock;
    const s = this.open();
    s.on('error', (err) => {
      // The patched binding reports an overrun as {code:'EBADF', syscall:'poll'} and the
      // socket is dead: fail what is waiting now instead of after the timeout.
      if (this.sock === s) this.sock = undefined;
      try { s.close(); } catch { /* already closed */ }
      const e = new NlError('ENOBUFS', `netlink socket failed (${err.code ?? err.message}); it will be reopened`);
      for (const fail of [...this.failPending]) fail(e);
    });
    this.sock = s;
    this.port = s.address().port;
    return s;
  }

  private async slot(): Promise<void> {
    while (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.waiters.push(r));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /** One request with ACK; resolves with the answer messages (none for a plain ACK). */
  async request(type: number, parts: Buffer[], flags = 0): Promise<NetlinkMessage[]> {
    if (this.prepare) { await this.prepare(); this.prepare = undefined; }
    await this.slot();
    let fail: ((e: Error) => void) | undefined;
    try {
      const s = this.socket();
      const broken = new Promise<never>((_, reject) => { fail = reject; this.failPending.add(reject); });
      const [msgs] = await Promise.race([s.request(type, parts, { flags, timeout: TIMEOUT_MS, localPort: this.port }), broken]);
      return msgs;
    } catch (e) {
      throw toNlError(e);
    } finally {
      if (fail) this.failPending.delete(fail);
      this.release();
    }
  }

  /** A dump, serialised per socket, retried when the kernel flags it inconsistent (NLM_F_DUMP_INTR). */
  dump(type: number, body: Buffer[]): Promise<NetlinkMessage[]> {
    const run = async () => {
      for (let i = 0; ; i++) {
        const msgs = await this.request(type, body, NLM_F.DUMP);
        if (!msgs.some((m) => m.flags & NLM_F.DUMP_INTR) || i >= DUMP_RETRIES) return msgs;
      }
    };
    const p = this.dumpChain.then(run, run);
    // The chain waits for the dump, and holds nothing of it: a kept socket per namespace would otherwise keep
    // its last dump's messages and their datagrams alive (1000 namespaces: ~3 MB of an idle daemon's heap).
    this.dumpChain = p.then(() => undefined, () => undefined);
    return p;
  }

  close(): void {
    const s = this.sock;
    this.sock = undefined;
    if (s) try { s.close(); } catch { /* already closed */ }
  }
}
