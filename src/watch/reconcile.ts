// One reconcile pass. A full pass is exactly `ctnet apply` (load -> observe ->
// compile -> plan -> applyPlan), whatever object kinds the model has: at start,
// on file changes, SIGHUP, the periodic resync and after any failure. A drift
// event between two full passes starts a targeted pass: the topology has not
// changed, so the last desired state still holds; the pass reads again only
// what the event names (cache.ts) and plans the host's part plus the named
// containers (partition.ts), verify and undo included. At 1000 containers that
// is a few netlink requests instead of 1000 dumps.
// One kernel adapter is kept from pass to pass (opening a socket inside each
// namespace again on every pass costs more than the read): its sockets would
// pin namespaces that an operator deleted (KERNEL-FACTS B1), so the daemon
// releases a namespace whose file vanished, an edit releases the namespaces it
// drops, and a full pass or a failure starts with a fresh adapter.
// The files and the last valid topology are topology-source.ts's business.
import { applyPlan } from '../apply/index.js';
import { ConflictError, SpecError, VerifyError, type Diagnostic } from '../errors.js';
import { planTopology } from '../cli/context.js';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Step } from '../model/ops.js';
import { HOST, type DesiredState, type Key, type NsRef, type ObservedState } from '../model/state.js';
import { fromRaw, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { compile, type Topology } from '../spec/index.js';
import { ObservationCache } from './cache.js';
import { errorText } from './log.js';
import { changedParts, desiredSlice, nsByLabel } from './partition.js';
import { fullScope, mergeScope, touched, type Scope } from './scope.js';
import { TopologySource } from './topology-source.js';

export type PassResult = 'converged' | 'invalid' | 'conflict' | 'failed';

/** Failed drift passes retried as drift passes before a full pass is forced. */
const MAX_TARGETED_RETRIES = 2;

export interface PassReport {
  result: PassResult;
  steps: Step[];
  /** Steps that put back something the topology did not change: drift repairs. */
  repairs: Step[];
  error?: string;
  /** Namespaces a targeted pass read and planned; absent for a full pass. */
  targeted?: NsRef[];
  /** The topology changed (an edit was applied): names and addresses may have changed. */
  edited?: boolean;
  /** A failed drift pass: what its retry is about (the same containers, and whatever the pass had read or
   *  touched); absent when the retry must be a full pass. */
  retry?: Scope;
  /** Set when a reload found problems (only when they differ from the last ones reported). */
  diagnostics?: Diagnostic[];
}

export class Reconciler {
  private readonly source: TopologySource;
  /** The desired state of the last converged pass: a step on an object it had unchanged is a repair. */
  private lastConverged?: DesiredState;

  /** The desired state of the last converged full pass: what targeted passes hold the host to. */
  private desired?: DesiredState;
  private readonly cache = new ObservationCache();
  private kernel?: Kernel;
  /** The namespaces of the targeted pass in progress (a failed one is reported with them too). */
  private lastTarget?: NsRef[];
  /** A drift pass that failed: what it held the host to and what it read or touched. */
  private failedSlice?: { full: DesiredState; scope: Scope };
  /** Consecutive failed drift passes retried as drift passes; after MAX_TARGETED_RETRIES a full pass. */
  private targetedFailures = 0;

  constructor(files: string[], host?: string, private readonly newKernel: () => Promise<Kernel> = () => createKernel()) {
    this.source = new TopologySource(files, host);
  }

  /** The last valid topology, if any. */
  get topology(): Topology | undefined { return this.source.topology; }
  /** The files are valid now (otherwise the last valid topology is being held). */
  get filesValid(): boolean { return this.source.filesValid; }
  /** Namespaces the current topology configures (where drift events matter). */
  namespaces(): NsRef[] { return this.source.namespaces; }
  private get selfHost(): string | undefined { return this.source.selfHost; }
  /** The host as the last converged pass left it, in the observed shape (what DNS allocates names from).
   *  It is the desired state itself: once verified the kernel holds exactly that, and keeping a whole
   *  second observation of 1000 containers around would only cost memory. */
  get lastObserved(): ObservedState | undefined {
    return this.lastConverged && asObserved(this.lastConverged);
  }
  /** The host this daemon applies (--host, or the hostname in a multi-host topology). */
  get appliedHost(): string | undefined {
    return this.selfHost;
  }

  async pass(reload: boolean, scope: Scope = fullScope()): Promise<PassReport> {
    let diagnostics: Diagnostic[] | undefined;
    let changed = false;
    if (reload || !this.topology) {
      const r = await this.source.reload();
      ({ changed, diagnostics } = r);
      this.release(r.dropped); // our sockets would keep them alive
    }
    if (!this.topology) return { result: 'invalid', steps: [], repairs: [], diagnostics, error: 'no valid topology yet' };
    const canTarget = !scope.full && this.desired !== undefined && this.cache.ready;
    this.lastTarget = undefined;
    this.failedSlice = undefined;
    if (!canTarget || !this.kernel) {
      await this.kernel?.close();
      this.kernel = await this.newKernel();
    }
    const kernel = this.kernel;
    kernel.revalidate(); // namespace files may name other namespaces than when our sockets were opened
    const steps: Step[] = [];
    try {
      let r: Omit<PassReport, 'result'>;
      if (changed) r = canTarget ? await this.editPass(kernel, scope, steps) : await this.fullPass(kernel, steps);
      else {
        const targeted = canTarget ? this.targetOf(scope) : undefined;
        r = targeted ? await this.slicePass(kernel, this.desired!, scope, targeted, steps) : await this.fullPass(kernel, steps);
      }
      const result: PassResult = this.filesValid ? 'converged' : 'invalid';
      this.targetedFailures = 0;
      return { result, ...r, diagnostics, ...(this.filesValid ? {} : { error: 'topology files are invalid; holding the last valid topology' }) };
    } catch (err) {
      const failed = { result: classify(err), steps, repairs: [], diagnostics, error: describe(err), ...(this.lastTarget ? { targeted: this.lastTarget } : {}) };
      // A drift pass that failed was undone on its slice, and the undo read that slice again: the desired
      // state still holds and the rest of what was read is as good as before. Retry it as a pass about the
      // same containers (a tamper racing the repair, e.g. a namespace deleted meanwhile, is the usual
      // cause; a full pass at 1000 containers costs seconds). Anything else, or repeated failures: start
      // over with a full pass, fresh sockets and nothing kept.
      const slice = this.failedAt(); // set by slicePass meanwhile
      if (slice && !changed && this.targetedFailures < MAX_TARGETED_RETRIES) {
        this.targetedFailures++;
        this.desired = slice.full;
        return { ...failed, retry: slice.scope };
      }
      this.targetedFailures = 0;
      this.desired = undefined;
      this.cache.drop();
      this.kernel = undefined;
      await kernel.close();
      return failed;
    }
  }

  /** The failed drift pass's record (a method: TypeScript would narrow the field to its reset value). */
  private failedAt(): { full: DesiredState; scope: Scope } | undefined {
    return this.failedSlice;
  }

  /** Close what is held open inside these namespaces (their files vanished or they left the topology). */
  release(namespaces: Iterable<NsRef>): void {
    for (const ns of namespaces) this.kernel?.release(ns);
  }

  /** Close the kept adapter (the daemon is stopping). */
  async close(): Promise<void> {
    await this.kernel?.close();
    this.kernel = undefined;
  }

  /** The container namespaces a targeted pass is about; undefined when only a full pass will do. */
  private targetOf(scope: Scope): Set<NsRef> | undefined {
    const desired = this.desired!;
    const byLabel = nsByLabel(desired.nsLabels);
    const ns = new Set<NsRef>();
    for (const n of scope.ns) if (n !== HOST && desired.nsLabels.has(n)) ns.add(n); // others are not ours to look at
    for (const label of scope.labels) {
      const n = byLabel.get(label);
      if (n === undefined) return undefined; // a veth of a container the topology does not have: look at everything
      ns.add(n);
    }
    return ns;
  }

  private async fullPass(kernel: Kernel, steps: Step[]): Promise<Omit<PassReport, 'result'>> {
    this.desired = undefined;
    // The same front half as `ctnet apply`, keeping what it read.
    const { desired, observed, plan: p } = await planTopology(kernel, this.topology!, this.selfHost,
      async (k, labels) => fromRaw(await this.cache.readAll(k, [...labels.keys()]), labels));
    this.cache.recordSysctls(observed);
    steps.push(...p.steps);
    const repairs = this.repairsOf(p.steps, desired);
    if (p.steps.length || p.conflicts.length) {
      await applyPlan(kernel, desired, observed, p, {
        observeAgain: async () => fromRaw(await this.cache.readAll(kernel, [...desired.nsLabels.keys()], sysctlsOf(desired)), desired.nsLabels),
      });
    }
    this.lastConverged = desired;
    this.desired = desired;
    return { steps, repairs };
  }

  /** An edit of the files: compile the new topology against the last desired state (it is what the
   *  kernel holds: addresses and host ports stay where they are), and apply it as a pass about the
   *  containers whose objects changed (plus whatever the triggers named). */
  private async editPass(kernel: Kernel, scope: Scope, steps: Step[]): Promise<Omit<PassReport, 'result'>> {
    const prev = this.desired!;
    this.desired = undefined;
    const next = compile(this.topology!, asObserved(prev), { host: this.selfHost });
    const c = changedParts(prev, next);
    const byLabel = nsByLabel(next.nsLabels);
    const ns = new Set<NsRef>([...c.ns, ...[...scope.ns].filter((n) => next.nsLabels.has(n))]);
    for (const label of scope.labels) if (byLabel.has(label)) ns.add(byLabel.get(label)!); else c.labels.add(label);
    const sc = mergeScope(scope, { labels: c.labels, host: c.host, nft: c.nft, netns: c.netns, files: c.files });
    const r = await this.slicePass(kernel, next, sc, ns, steps);
    return { ...r, edited: true, repairs: notTheEdits(r.repairs, c.keys) };
  }

  /** Read again what `scope` names, then plan and apply desired ∩ (host ∪ ns) against what was read. */
  private async slicePass(kernel: Kernel, full: DesiredState, scope: Scope, ns: Set<NsRef>, steps: Step[]): Promise<Omit<PassReport, 'result'>> {
    this.desired = undefined; // until verified
    this.lastTarget = [...ns];
    await this.cache.refresh(kernel, { ...scope, ns }, full);
    const desired = desiredSlice(full, ns);
    const observed = this.cache.observedSlice(ns, full.nsLabels);
    const p = plan(desired, observed);
    steps.push(...p.steps);
    if (p.steps.length || p.conflicts.length) {
      // If this fails, a retry reads again what this pass read and what it touched.
      this.failedSlice = { full, scope: mergeScope({ ...scope, ns }, touched(p.steps)) };
      await applyPlan(kernel, desired, observed, p, {
        observeAgain: async () => {
          await this.cache.refresh(kernel, { ...touched(p.steps), ns, labels: scope.labels }, full);
          return this.cache.observedSlice(ns, full.nsLabels);
        },
      });
    }
    this.desired = full;
    this.lastConverged = full;
    // Held to an unchanged desired state, every step puts back drift (editPass filters the edit's own).
    return { steps, repairs: onePerKey(p.steps), targeted: [...ns] };
  }

  private repairsOf(steps: Step[], desired: DesiredState): Step[] {
    if (!this.lastConverged) return []; // first pass: nothing to compare with, these are initial changes
    return notTheEdits(onePerKey(steps), changedParts(this.lastConverged, desired).keys);
  }
}

/** A desired state in the observed shape: what compile allocates from when the kernel is known to hold it. */
function asObserved(d: DesiredState): ObservedState {
  return { objects: d.objects, foreign: [], presentNs: new Set(d.nsLabels.keys()) };
}

/** A replace is two steps (delete + create) of one key: one repair. */
function onePerKey(steps: Step[]): Step[] {
  const seen = new Set<Key>();
  return steps.filter((s) => !seen.has(s.key) && !!seen.add(s.key));
}

/** Steps of objects the topology changed, and of unchanged ones re-made because a change re-makes what
 *  they hang on (a route on a re-addressed link), are the edit's own work, not drift. */
function notTheEdits(steps: Step[], changed: ReadonlySet<Key>): Step[] {
  return steps.filter((s) => !changed.has(s.key) && s.reason !== 'parent-replaced');
}

function classify(err: unknown): PassResult {
  if (err instanceof SpecError) return 'invalid';
  if (err instanceof ConflictError) return 'conflict';
  return 'failed';
}

function describe(err: unknown): string {
  if (err instanceof SpecError) return err.diagnostics.map((d) => d.message).join('; ');
  if (err instanceof VerifyError) return `${err.message}: ${err.remaining.map((s) => `${s.action} ${s.key}`).join(', ')}`;
  return errorText(err);
}
