// Entering network namespaces in-process through our N-API addon
// (native/setns.c). A switch is scoped to one SYNCHRONOUS callback: open a
// socket, write a sysctl, then switch back. Anything async started inside
// would run on libuv threads that never switched (or, worse, a threadpool
// started while switched would stay in the namespace for good: KERNEL-FACTS B1).
import { closeSync, openSync, readFile } from 'node:fs';
import { builtin } from '../builtin.js';
import { addonPath } from '../package.js';

const CLONE_NEWNET = 0x40000000;

interface Addon {
  setns(fd: number, nstype: number): void;
  netnsCreate(path: string, shareOf?: string): void;
  netnsDelete(path: string): void;
  /** The calling thread's network namespace cookie (never reused until reboot), as a decimal string. */
  netnsCookie(): string;
  /** malloc_trim(0): free memory the C library keeps goes back to the system (false: nothing to give, or no glibc). */
  mallocTrim(): boolean;
  /** Links, addresses and routes of each namespace (null: the process's own), read on the threadpool
   *  (native/readns.c): raw netlink messages in `data`, each namespace's between its start and end. */
  readNetns(paths: (string | null)[]): Promise<{ data: Buffer; results: NetnsRead[] }>;
  /** An nftables command line or JSON batch run through libnftables on the threadpool, in the namespace at
   *  path (null: the process's own), with JSON output (native/nftrun.c): nft's result (0: done) and what it
   *  printed; or the errno of entering the namespace; or, where libnftables.so.1 cannot be loaded, why. */
  nftRun(path: string | null, command: string): Promise<NftRun>;
  /** A bound netlink socket of `protocol` in the calling thread's namespace: its file descriptor (native/nlreq.c). */
  nlOpen(protocol: number): number;
  /** One request (header made by the addon, with NLM_F_REQUEST | NLM_F_ACK | flags) and its whole answer, read
   *  at once: the answer's messages without the ACK or NLMSG_DONE. Throws an Error with errno and `kernel`
   *  (true: the kernel refused the request; false: `syscall` failed). */
  nlRequest(fd: number, type: number, flags: number, body: Buffer): Buffer;
  /** close(2) of a socket of nlOpen. */
  nlClose(fd: number): void;
  /** Binds both forms of the abstract unix socket name (without its NUL) in the calling thread's namespace and
   *  answers each connection with `answer` from a thread of the addon (native/hostlock.c): the hold's id, or
   *  null when another process holds either form. */
  lockHold(name: string, answer: string): number | null;
  /** Unbinds a hold of lockHold (both forms free when it returns); an id released already is nothing. */
  lockRelease(id: number): void;
  /** What the holder of either form of the name answered within timeoutMs ('' when it said nothing), or null
   *  when nobody holds it; in the calling thread's namespace. */
  lockAsk(name: string, timeoutMs: number): string | null;
}

export interface NftRun { rc?: number; stdout?: string; stderr?: string; errno?: number; syscall?: string; unavailable?: string }

/** One namespace of readNetns: where its messages are, or the errno and the call that failed; dev and ino
 *  of the file when it was opened. */
export interface NetnsRead { start?: number; end?: number; errno?: number; syscall?: string; dev?: number; ino?: number }

let addon: Addon | undefined;
/** The addon, looked up once (a request calls this each time). */
export const native = (): Addon => (addon ??= builtin<Addon>(addonPath()));

let homeFd: number | undefined;

/** Start the libuv threadpool while still in our own namespace and remember
 *  that namespace. Must run (and be awaited) before the first inNetns(). */
export async function prepareNetns(): Promise<void> {
  if (homeFd !== undefined) return;
  // A read on the threadpool starts all its threads here, not inside a switch. (The callback API: fs.promises
  // would load node:fs/promises, readline and the streams at every start for this one read.)
  await new Promise((resolve) => readFile('/proc/self/stat', resolve));
  native();
  homeFd ??= openSync('/proc/thread-self/ns/net', 'r');
}

/** Run fn with the calling thread inside the namespace at `path`; always switch back. */
export function inNetns<T>(path: string, fn: () => T): T {
  if (homeFd === undefined) throw new Error('ctnet: inNetns called before prepareNetns');
  const fd = openSync(path, 'r');
  try {
    native().setns(fd, CLONE_NEWNET);
    try {
      return fn();
    } finally {
      // If this ever failed the process would be stranded in another namespace:
      // nothing sensible can continue, so let it throw out loudly.
      native().setns(homeFd, CLONE_NEWNET);
    }
  } finally {
    closeSync(fd);
  }
}

