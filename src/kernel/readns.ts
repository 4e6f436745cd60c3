// Reading whole namespaces (links, addresses, routes) through the addon's readNetns: the reads asked for
// in one turn of the event loop go to the threadpool together, a few jobs in parallel, and come back as
// raw netlink messages. A full observe at 1000 containers asks for 1001 reads at once; through a
// `netlink` socket per namespace they cost ~200 ms of the main thread, this way ~36 ms of two pool threads.
import { native, type NetnsRead } from './setns.js';
import { errnoName, NlError } from './nlsock.js';

/** One namespace's messages: bytes [start, end) of `data` (the buffer of the whole job, shared), and the
 *  namespace file's identity when one was opened. */
export interface NsRead { data: Buffer; start: number; end: number; id?: string }

interface Job { path: string | null; big: boolean; resolve: (r: NsRead) => void; reject: (e: Error) => void }

/** Namespaces per pool job: below this one job; above, the host (its dump is the big one: a link per
 *  container) alone and the rest split in two, for the two cores CI and our benchmarks run on. */
const SPLIT_ABOVE = 64;

type ReadNetns = (paths: (string | null)[]) => Promise<{ data: Buffer; results: NetnsRead[] }>;

/** Reads started before there is a kernel adapter (readEarly), by path, each for the first reader that asks;
 *  `ending`: the first observation has begun to take them (the rest go once its turn is over). */
let early: { reads: Map<string | null, Promise<NsRead>>; ending: boolean } | undefined;

/**
 * Start reading these namespaces now (null: the process's own), for the first observation of the process to take
 * instead of reading them itself: `ctnet plan` reads the host while it parses the topology (on the main thread)
 * instead of after. Only for a command that reads once and changes nothing (a read made before the host lock
 * would be stale for one that changes it), and never in the daemon. What the observation does not ask for
 * is dropped unread at its first read.
 */
export function readEarly(paths: (string | null)[], readNetns?: ReadNetns): void {
  const reader = new NetnsReader(readNetns, { early: true });
  early = {
    reads: new Map(paths.map((p) => {
      const r = reader.read(p, p === null);
      r.catch(() => undefined); // a name that is no namespace: the observation that asks gets the error, or none does
      return [p, r];
    })),
    ending: false,
  };
  // Now, not at the end of this turn as a batch goes: the caller's next work (the parse) takes the rest of it.
  reader.flush();
}

/** The early read of `path`, once. The first observation asks for all it reads in one turn (the batching below
 *  relies on it too): once that turn is over, the early reads it did not take are dropped, not kept for a later
 *  observation, for which they would not be fresh. */
function takeEarly(path: string | null): Promise<NsRead> | undefined {
  const e = early;
  if (!e) return undefined;
  if (!e.ending) { e.ending = true; queueMicrotask(() => { if (early === e) early = undefined; }); }
  const r = e.reads.get(path);
  e.reads.delete(path);
  return r;
}

export class NetnsReader {
  private batch: Job[] = [];

  /** `readNetns`: the addon's (tests pass their own); `early`: this reader makes the early reads (readEarly), so it
   *  takes none of them itself. */
  constructor(
    private readonly readNetns: ReadNetns = (paths) => native().readNetns(paths),
    private readonly opts: { early?: boolean } = {},
  ) {}

  /** The namespace at `path` (null: the process's own); `big`: the host's, with a link per container.
   *  Rejects with an NlError; ENOENT (no such file) and EINVAL (a file that is no namespace) are the
   *  caller's "not there". */
  read(path: string | null, big = false): Promise<NsRead> {
    const started = this.opts.early ? undefined : takeEarly(path);
    if (started) return started;
    return new Promise((resolve, reject) => {
      if (this.batch.push({ path, big, resolve, reject }) === 1) queueMicrotask(() => this.flush());
    });
  }

  /** Send the reads asked for so far to the threadpool (done at the end of each turn in which any was asked). */
  flush(): void {
    const jobs = this.batch;
    if (jobs.length === 0) return;
    this.batch = [];
    for (const group of split(jobs)) void this.run(group);
  }

  private async run(jobs: Job[]): Promise<void> {
    let out: { data: Buffer; results: NetnsRead[] };
    try {
      out = await this.readNetns(jobs.map((j) => j.path));
    } catch (e) {
      for (const j of jobs) j.reject(e as Error);
      return;
    }
    jobs.forEach((job, i) => {
      const r = out.results[i];
      const id = r.dev === undefined ? undefined : `${r.dev}:${r.ino}`;
      if (r.errno !== undefined) {
        const name = errnoName(r.errno);
        job.reject(new NlError(name, `${r.syscall} ${job.path ?? 'own namespace'}: ${name}`));
      } else job.resolve({ data: out.data, start: r.start!, end: r.end!, ...(id ? { id } : {}) });
    });
  }
}

function split(jobs: Job[]): Job[][] {
  if (jobs.length <= SPLIT_ABOVE) return [jobs];
  const host = jobs.findIndex((j) => j.big);
  const rest = host < 0 ? jobs : jobs.filter((_, i) => i !== host);
  const half = Math.ceil(rest.length / 2);
  return [...(host < 0 ? [] : [[jobs[host]]]), rest.slice(0, half), rest.slice(half)];
}
