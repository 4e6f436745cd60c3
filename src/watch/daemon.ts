// The daemon of one project: keep it converged. Wires the triggers (files, rtnetlink
// events in every namespace, nftables events, the netns directory, a resync timer,
// signals) to the scheduler, runs one pass (passes.ts -> reconcile) per folded set
// of triggers, and reports each as a JSON log line and as metrics. run.ts starts
// one per project (fleet.ts) and stops them on SIGTERM/SIGINT.
import { watch as fsWatch, type FSWatcher as FsWatcher } from 'node:fs';
import { thisProcess } from '../kernel/index.js';
import { trimAfterFullGc } from '../kernel/memory.js';
import type { EventSockets, HostLock, Kernel } from '../kernel/port.js';
import { ALL, NONE, isAll, nsPart, union, valuesOf, type Parts } from '../model/parts.js';
import { HOST, type NsRef } from '../model/state.js';
import type { Waiting } from '../model/ops.js';
import { Engine } from '../docker/engine.js';
import { dockerRefsOf } from '../docker/resolve.js';
import { driftOf } from './events-filter.js';
import { watchFiles } from './files.js';
import { errorText, type Logger } from './log.js';
import { ManagedFiles } from './managed-files.js';
import type { Metrics } from './metrics.js';
import { NameService } from './names.js';
import { Passes, type PassReport } from './passes.js';
import { reportPass } from './report.js';
import { History } from './history.js';
import { Scheduler, type PassOutcome, type Trigger } from './scheduler.js';

export interface WatchOptions {
  files: string[];
  host?: string;
  resyncSeconds: number;
  metrics?: { host: string; port: number };
  /** Quiet time after the last file event before reloading. */
  debounceMs?: number;
  log?: Logger;
}

/** Triggers whose reload judges the files as they are now: a file event after its quiet time, an operator's
 *  SIGHUP, the start, the retry of a failed reload. */
const JUDGE_FILES: ReadonlySet<Trigger> = new Set(['file', 'sighup', 'start', 'retry']);
const KERNEL_DELAY_MS = 2; // lets the rest of one change's notifications (a link's routes, addresses) arrive
const NETNS_GONE_WAIT_MS = 100;
const RESYNC_CHUNK = 25;
/** What the first short pass of a full resync reads; containers follow RESYNC_CHUNK at a time. */
const RESYNC_HOST: Parts = new Set(['host', 'nft', 'netns', 'files']);
/** What the other resyncs read: what changes without any event (host sysctls without netconf
 *  notifications, ctnet's markers and records, the files), plus the table. Every kernel change of
 *  links, addresses and routes, in the host and in every container, arrives as an event (and lost
 *  events start a full resync), so reading 1000 namespaces every 30 s only guards against a bug:
 *  that is every FULL_EVERY-th resync. */
const RESYNC_LIGHT: Parts = new Set(['sysctl', 'nft', 'netns', 'files']);
const FULL_EVERY = 10;

/** The daemon of one project (fleet.ts runs one per project found in the files). */
export class Daemon {
  readonly passes: Passes;
  readonly scheduler: Scheduler;
  readonly names: NameService;
  lastResult: PassReport['result'] | 'pending' = 'pending';
  /** The last passes, repairs and file problems (the status page). */
  readonly history = new History();
  lastSuccess?: number;
  private rt?: EventSockets;
  private managed?: ManagedFiles;
  private resyncQueue: NsRef[][] = [];
  private resyncs = 0;
  private isolatedTimer?: NodeJS.Timeout;
  private readonly closers: (() => unknown)[] = [];

  private lock?: HostLock;

  /** `host`: the daemon's own adapter for its life (locks, event sockets); passes use their own.
   *  `metrics`: shared by the daemons of one process (one /metrics endpoint). */
  constructor(private readonly opts: WatchOptions, readonly log: Logger, private readonly host: Kernel, readonly project: string,
    readonly metrics: Metrics) {
    this.passes = new Passes(opts.files, opts.host, undefined, project);
    this.names = new NameService(this.passes, log);
    this.scheduler = new Scheduler((t, ts, reload, parts) => this.onPass(t, ts, reload, parts),
      { onError: (err) => log.log('error', 'reconcile crashed', { error: errorText(err) }) });
  }

  get healthy(): boolean {
    const r = this.lastResult;
    return (r === 'converged' || r === 'pending') && (this.passes.filesValid || r === 'pending') && this.passes.isolation.containers.length === 0;
  }

  /** Try the isolated containers again, alone, when the first of them is due. */
  private retryIsolated(): void {
    if (this.isolatedTimer) clearTimeout(this.isolatedTimer);
    this.isolatedTimer = undefined;
    const due = this.passes.isolation.nextDue;
    if (due === undefined) return;
    this.isolatedTimer = setTimeout(() => {
      this.isolatedTimer = undefined;
      this.scheduler.request('retry', 0, { parts: this.passes.isolation.dueParts() });
    }, Math.max(0, due - Date.now()));
  }

  private async onPass(trigger: Trigger, triggers: Trigger[], reload: boolean, parts: Parts): Promise<PassOutcome> {
    const t0 = performance.now();
    // Close sockets of vanished namespaces first: they pin them. The kernel then tears the old
    // namespace down asynchronously (its veth ends vanish a few ms later); observing before that
    // would plan to delete links that are about to disappear by themselves. (A pass about one
    // container's links skips this: namespace files changing are their own trigger.)
    const syncNs = parts.has('all') || parts.has('netns');
    // A namespace file that came or went names itself (the /run/netns watcher's event, which makes a pass about
    // it and the namespace list): such a pass looks at those namespaces again, not at all of them (a stat each,
    // ~4 ms at 1000, after every container an edit adds or removes). Otherwise (a resync, a retry) all of them.
    const named = new Set(isAll(parts) ? [] : valuesOf(parts, 'ns'));
    const recheck = named.size ? (ns: NsRef) => named.has(ns) : undefined;
    const gone = syncNs ? this.rt?.sync(this.passes.namespaces(), recheck) ?? [] : [];
    if (gone.length) {
      this.passes.release(gone);
      parts = union(parts, gone.map(nsPart), ['netns']);
      await new Promise((r) => setTimeout(r, NETNS_GONE_WAIT_MS));
    }
    // Only the resync asked to read the files: found changed since the last look, they wait for quiet.
    const settle = reload && !triggers.some((t) => JUDGE_FILES.has(t));
    const r = await this.passes.pass({ reload, parts, settle });
    if (r.unsettled) this.requestFiles();
    // Listen in namespaces the pass created, and in those an edit added (they may exist already). The ones
    // listened in already were looked at before the pass when it was about namespaces; after any other
    // pass only those it made again can have changed (the others' files changing is their own trigger).
    const created = r.steps.flatMap((s) => (s.op.op === 'netns.create' ? [s.op.obj.path] : []));
    const remade = new Set(created);
    if (syncNs || r.edited || created.length) this.rt?.sync(this.passes.namespaces(), (ns) => remade.has(ns) || (syncNs && (recheck?.(ns) ?? true)));
    // Nothing listened in a namespace between its creation and now: read it once more, so a change made
    // in that window is not left to the periodic resync.
    if (created.length) this.scheduler.request('kernel', 0, { parts: new Set(created.map(nsPart)) });
    reportPass(this.log, this.metrics, this.opts.files, this.passes.filesValid, trigger, triggers, performance.now() - t0, r);
    this.history.record(trigger, triggers, performance.now() - t0, r, this.passes.filesValid);
    if (r.result === 'converged') this.lastSuccess = Date.now();
    // A pass that held the host to an unchanged desired state serves the same names and files.
    if (!r.targeted || r.edited) {
      await this.names.follow();
      this.managed?.sync(this.passes.converged);
    }
    this.lastResult = r.result;
    this.followWaiting(r);
    this.followEngine();
    this.metrics.isolated.set({ project: this.project }, this.passes.isolation.containers.length);
    this.retryIsolated();
    this.continueResync(r, triggers);
    return { ok: r.result === 'converged', retry: r.result === 'failed' || r.result === 'conflict', applied: r.steps.length, ...(r.retry ? { retryParts: r.retry } : {}) };
  }

  /** The files changed: read them once they have been quiet for the debounce time (a burst of writes, an
   *  editor's save, is one reload). */
  private requestFiles(): void {
    this.scheduler.request('file', this.opts.debounceMs ?? 150, { reload: true, debounce: true, parts: NONE });
  }

  /** The periodic resync reads everything again, but as a series of short passes: first the files, the
   *  whole host namespace, the nftables table, the namespace list and the hosts files, then RESYNC_CHUNK
   *  containers at a time. A repair that comes up meanwhile waits for one of them, not for a read of
   *  1000 namespaces (~1 s). */
  private startResync(): void {
    this.resyncQueue = [];
    if (this.resyncs++ % FULL_EVERY !== FULL_EVERY - 1) {
      this.scheduler.request('resync', 0, { reload: true, parts: RESYNC_LIGHT });
      return;
    }
    const ns = this.passes.namespaces().filter((n) => n !== HOST);
    for (let i = 0; i < ns.length; i += RESYNC_CHUNK) this.resyncQueue.push(ns.slice(i, i + RESYNC_CHUNK));
    this.scheduler.request('resync', 0, { reload: true, parts: RESYNC_HOST });
  }

  private continueResync(r: PassReport, triggers: Trigger[]): void {
    if (r.result !== 'converged' || !r.targeted) this.resyncQueue = []; // a full pass read everything; a failure will
    else if (triggers.includes('resync') && this.resyncQueue.length) {
      this.scheduler.request('resync', 0, { parts: new Set(this.resyncQueue.shift()!.map(nsPart)) });
    }
  }

  /** Every trigger, wired to the scheduler with the parts it is about. */
  startTriggers(): void {
    const { scheduler, log } = this;
    const warn = (msg: string, fields: Record<string, unknown>) => log.log('warn', msg, fields);
    this.rt = this.host.events({
      onEvents: (ns, msgs) => {
        const drift = driftOf(ns, msgs);
        if (drift) scheduler.request('kernel', KERNEL_DELAY_MS, { parts: drift.parts });
      },
      onLost: () => scheduler.request('resync'), // events were lost: read everything
      onNft: (pid) => scheduler.request('nft', KERNEL_DELAY_MS, { parts: pid === undefined ? ALL : new Set(['nft']) }),
      warn,
    });
    // Someone editing a hosts file or resolv.conf ctnet manages: that container's part and the files.
    this.managed = new ManagedFiles((parts) => scheduler.request('hostsfile', KERNEL_DELAY_MS, { parts }), warn);
    this.closers.push(() => this.managed?.close());
    // A file change is about whatever the edit changes: the pass compares the new desired state with the last one.
    const files = watchFiles(this.opts.files, () => this.requestFiles(), log);
    this.closers.push(() => files.close());
    let netnsDir: FsWatcher | undefined;
    try {
      // `ip netns del` of a container namespace sends no rtnetlink event while our socket pins it.
      // /run/netns is machine-wide: only names of our topology's namespaces matter.
      netnsDir = fsWatch('/run/netns', (_event, name) => {
        const path = `/run/netns/${name}`;
        if (name && this.passes.namespaces().includes(path)) scheduler.request('netns', 10, { parts: new Set([nsPart(path), 'netns']) });
      });
      netnsDir.on('error', () => undefined);
      this.closers.push(() => netnsDir?.close());
    } catch { /* no /run/netns yet: the resync timer covers it */ }
    const resync = setInterval(() => this.startResync(), this.opts.resyncSeconds * 1000);
    this.closers.push(() => clearInterval(resync));
    // A long-lived process: what the collector frees of the C heap goes back to the system (idle RSS).
    this.closers.push(trimAfterFullGc());
    process.on('SIGHUP', () => { log.log('info', 'SIGHUP: reloading'); scheduler.request('sighup', 0, { reload: true }); });
  }

  /** Take the project (its watch lock: apply and destroy of it then refuse, naming this daemon; other
   *  projects stay free, and each pass takes the write lock, passes.ts), then start the triggers and the
   *  first pass. Throws LockError when another daemon manages the project. Killed, it holds nothing. */
  async start(): Promise<void> {
    this.lock = await this.host.lock(`watch:${this.project}`, { ...thisProcess(this.opts.files), projects: [this.project] }, 0);
    this.startTriggers();
    this.log.log('info', 'watching', { files: this.opts.files, project: this.project, resyncSeconds: this.opts.resyncSeconds, pid: process.pid });
    this.scheduler.request('start', 0, { reload: true });
  }

  /** Stop after the pass in progress. `keepLock`: the caller still has work on the project (removing it). */
  async stop(keepLock = false): Promise<void> {
    this.stopping = true;
    if (this.engineRetry) clearTimeout(this.engineRetry);
    this.engineEvents?.close();
    if (this.isolatedTimer) clearTimeout(this.isolatedTimer);
    for (const close of this.closers) await close();
    await this.scheduler.stop(); // waits for a pass in progress: never leave a half-applied plan
    await this.passes.close();
    this.rt?.close();
    await this.names.close();
    if (!keepLock) await this.release();
  }

  async release(): Promise<void> {
    this.lock?.release();
    this.lock = undefined;
    await this.host.close();
  }

  /** The adapter the daemon holds for its life (the fleet removes a project with it, under its lock). */
  get kernel(): Kernel { return this.host; }

  health(): Record<string, unknown> {
    return {
      lastResult: this.lastResult, filesValid: this.passes.filesValid, lastSuccess: this.lastSuccess && new Date(this.lastSuccess).toISOString(),
      isolated: this.passes.isolation.containers, waiting: [...this.waiting.values()],
    };
  }

  /** Containers waiting for their namespace: a full pass says which all are; a targeted one only about
   *  the containers it planned. A change is logged once, not at every pass. */
  private followWaiting(r: PassReport): void {
    if (r.result !== 'converged' && r.result !== 'invalid') return;
    const next = new Map(r.targeted ? this.waiting : []);
    for (const ns of r.targeted ?? []) next.delete(ns);
    for (const w of r.waiting ?? []) next.set(w.ns, w);
    for (const [ns, w] of next) if (!this.waiting.has(ns)) this.log.log('warn', 'waiting', { container: w.container, namespace: ns, why: w.why, hint: 'it is attached when it runs again; everything else is converged' });
    for (const [ns, w] of this.waiting) if (!next.has(ns)) this.log.log('info', 'attached', { container: w.container, namespace: ns });
    this.waiting = next;
    this.metrics.waiting.set({ project: this.project }, next.size);
  }
  private waiting = new Map<NsRef, Waiting>();

  /** While the topology has `docker:` containers, follow the engine's container events: a start, stop or
   *  removal of one of them is a pass (the pass asks the engine again, and plans what changed). When the
   *  stream ends (the engine restarted), reconnect after a second and pass once: events may have been lost. */
  private followEngine(): void {
    if (this.dockerRefs().length === 0 || this.stopping) {
      this.engineEvents?.close();
      this.engineEvents = undefined;
      return;
    }
    if (this.engineEvents || this.engineRetry) return; // following, or reconnecting
    let engine: Engine;
    try { engine = new Engine(); } catch { return; } // the pass's resolution says why
    this.engineEvents = engine.events((e) => {
      this.engineLost = 0;
      const ours = this.dockerRefs().filter((ref) => ref === e.name || (ref.length >= 12 && e.id.startsWith(ref)));
      if (ours.length === 0) return;
      this.passes.dockerChanged(ours);
      this.log.log('debug', 'docker event', { action: e.action, container: e.name });
      this.scheduler.request('docker', 0, { parts: NONE });
    }, (err) => {
      this.engineEvents = undefined;
      if (this.stopping) return;
      // Said once per outage (the engine may be down for long), then retried every second quietly.
      this.log.log(this.engineLost++ === 0 ? 'warn' : 'debug', 'docker events lost', { engine: engine.address, error: err ? errorText(err) : 'the stream ended', hint: 'reconnecting every second; a pass asks the engine again then' });
      this.engineRetry = setTimeout(() => {
        this.engineRetry = undefined;
        this.followEngine();
        this.passes.dockerChanged(this.dockerRefs()); // events may have been lost: ask about every one
        this.scheduler.request('docker', 0, { parts: NONE });
      }, 1000);
    });
  }
  private engineRetry?: NodeJS.Timeout;
  private engineLost = 0;
  private engineEvents?: { close(): void };
  /** The `docker:` references of the topology this daemon holds, for this host. */
  private dockerRefs(): string[] {
    const t = this.passes.topology;
    return t ? dockerRefsOf(t, this.passes.appliedHost) : [];
  }
  private stopping = false;
}

