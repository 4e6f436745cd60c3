// Netlink sockets for requests, through ctnet's addon (native/nlreq.c): the kernel answers a rtnetlink or
// sock_diag request within the call that sends it, so a request is one synchronous call that returns its
// answer, with no socket object, poll handle or promise of its own. Errors carry errno names; a dump the
// kernel flags inconsistent (NLM_F_DUMP_INTR) is asked again. The `netlink` package (KERNEL-FACTS A4/A6)
// remains for the daemon's event sockets only (rtevents.ts, nftevents.ts), loaded by createKernel({ events }).
import { builtin } from '../builtin.js';
import { NlError } from '../errors.js';
import { forEachMessage, NLM_F } from './nlmsg.js';
import { native } from './setns.js';

/** node:util, required at the first error (imported, Node 22 evaluates every export of it: ~2 ms of a start). */
const util = () => builtin<typeof import('node:util')>('node:util');

const DUMP_RETRIES = 5;
export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;

export { NlError };

/** One message of an answer: its header's fields and its payload (a view into the answer). */
export interface NlMessage { type: number; flags: number; seq: number; port: number; data: Buffer }

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

/** The addon's error (errno, syscall, and kernel: whether the kernel refused the request) as an NlError. */
function toNlError(e: unknown): NlError {
  if (e instanceof NlError) return e;
  const { errno, syscall, kernel } = e as { errno?: number; syscall?: string; kernel?: boolean };
  if (typeof errno !== 'number') return new NlError('EIO', e instanceof Error ? e.message : String(e));
  const name = errnoName(errno);
  if (kernel) return new NlError(name, `the kernel answered ${name} (${errnoText(name).toLowerCase()})`);
  if (name === 'ETIMEDOUT') return new NlError(name, 'no answer from the kernel within 15 s');
  return new NlError(name, `${syscall ?? 'netlink'}: ${name}`);
}

/** The messages of an answer, each a view into it. */
export function splitMessages(answer: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  forEachMessage({ data: answer, start: 0, end: answer.length }, (type, d, base, end) => out.push({
    type, flags: d.readUInt16LE(base - 10), seq: d.readUInt32LE(base - 8), port: d.readUInt32LE(base - 4), data: d.subarray(base, end),
  }));
  return out;
}

/** The `netlink` package, for event sockets (multicast groups, read as events arrive): loaded by
 *  createKernel({ events }) before the first is opened. */
type Netlink = Pick<typeof import('netlink'), 'createNetlink'>;
let netlink: Netlink | undefined;
let loading: Promise<void> | undefined;
// A CommonJS package: its exports are the default export of the ES module Node (or the bundle) makes of it.
export const loadNetlink = () => (loading ??= import('netlink').then((m) => { netlink = (m as unknown as { default: Netlink }).default; }));

/** The package where it must be there already: event sockets are opened synchronously. */
export function netlinkNow(): Netlink {
  if (!netlink) throw new Error('the netlink package was not loaded (createKernel({ events: true }) loads it)');
  return netlink;
}

/** A netlink socket of `protocol` in the calling thread's namespace (the caller enters it), as a file descriptor. */
export const openNetlink = (protocol: number): number => native().nlOpen(protocol);

/** The answer of `dump`, made again while the kernel flags it inconsistent (NLM_F_DUMP_INTR: the table changed
 *  under it), at most DUMP_RETRIES more times (then the last answer: a table that keeps changing is as it is). */
export function consistentDump(dump: () => NlMessage[]): NlMessage[] {
  for (let i = 0; ; i++) {
    const msgs = dump();
    if (!msgs.some((m) => m.flags & NLM_F.DUMP_INTR) || i >= DUMP_RETRIES) return msgs;
  }
}

export class NlSock {
  private fd?: number;

  /** `open` creates the socket inside the right namespace (openNetlink within NsCtx.enter); it is called
   *  again after a failure of the socket itself. */
  constructor(private readonly open: () => number) {}

  /** One request with ACK; resolves with the answer messages (none for a plain ACK). Synchronous inside:
   *  the promise is only the interface the callers share with the rest of the kernel adapter. */
  async request(type: number, parts: Buffer[], flags = 0): Promise<NlMessage[]> {
    return this.requestNow(type, parts, flags);
  }

  private requestNow(type: number, parts: Buffer[], flags: number): NlMessage[] {
    try {
      this.fd ??= this.open();
      return splitMessages(native().nlRequest(this.fd, type, flags, parts.length === 1 ? parts[0] : Buffer.concat(parts)));
    } catch (e) {
      const err = toNlError(e);
      // A socket that failed (not the kernel refusing a request: ENOBUFS after an overrun, a timeout with
      // answers still to come) is closed; the next request opens another.
      if (!(e as { kernel?: boolean }).kernel) this.close();
      throw err;
    }
  }

  /** A dump, asked again when the kernel flags it inconsistent (see consistentDump). */
  async dump(type: number, body: Buffer[]): Promise<NlMessage[]> {
    return consistentDump(() => this.requestNow(type, body, NLM_F.DUMP));
  }

  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) try { native().nlClose(fd); } catch { /* already closed */ }
  }
}
