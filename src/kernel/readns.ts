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

export class NetnsReader {
  private batch: Job[] = [];

  /** `readNetns`: the addon's (tests pass their own). */
  constructor(private readonly readNetns: ReadNetns = (paths) => native().readNetns(paths)) {}

  /** The namespace at `path` (null: the process's own); `big`: the host's, with a link per container.
   *  Rejects with an NlError; ENOENT (no such file) and EINVAL (a file that is no namespace) are the
   *  caller's "not there". */
  read(path: string | null, big = false): Promise<NsRead> {
    return new Promise((resolve, reject) => {
      if (this.batch.push({ path, big, resolve, reject }) === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    const jobs = this.batch;
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

/** Each netlink message of a read, in order: its type and where its payload (after the header) is in `data`,
 *  [base, end). No view or object per message (dump.ts says why); a truncated message ends the walk. */
export function forEachMessage(read: Pick<NsRead, 'data' | 'start' | 'end'>, fn: (type: number, data: Buffer, base: number, end: number) => void): void {
  const { data, end } = read;
  for (let off = read.start; off + 16 <= end;) {
    const len = data.readUInt32LE(off);
    if (len < 16 || off + len > end) break;
    fn(data.readUInt16LE(off + 4), data, off + 16, off + len);
    off += (len + 3) & ~3;
  }
}
