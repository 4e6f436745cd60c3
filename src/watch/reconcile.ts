// One reconcile pass. A full pass is exactly `ctnet apply` (load -> observe ->
// compile -> plan -> applyPlan), whatever object kinds the model has: at start,
// on file changes, SIGHUP, the periodic resync and after any failure. A drift
// event between two full passes starts a targeted pass: the topology has not
// changed, so the last desired state still holds; the pass reads again only
// what the event names (cache.ts) and plans the host's part plus the named
// containers (partition.ts), verify and undo included. At 1000 containers that
// is a few netlink requests instead of 1000 dumps.
// A fresh kernel adapter per pass: its sockets would otherwise pin namespaces
// that an operator deleted (KERNEL-FACTS B1).
// An invalid edit never replaces the last good topology: the daemon keeps
// holding the host to the last topology that was valid (drift is still
// repaired), applies nothing from the invalid files, and reports the problem.
import { applyPlan } from '../apply/index.js';
import { ConflictError, SpecError, VerifyError, type Diagnostic } from '../errors.js';
import { selfHost } from '../cli/context.js';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Step } from '../model/ops.js';
import { HOST, type DesiredState, type Key, type NsRef, type ObservedState } from '../model/state.js';
import { fromRaw, observeSysctls, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { compile, forHost, loadTopology, namespacesOf, type Topology } from '../spec/index.js';
import { ObservationCache } from './cache.js';
import { errorText } from './log.js';
import { desiredSlice, nsByLabel } from './partition.js';
import { emptyScope, fullScope, type Scope } from './scope.js';

export type PassResult = 'converged' | 'invalid' | 'conflict' | 'failed';

export interface PassReport {
  result: PassResult;
  steps: Step[];
  /** Steps that put back something the topology did not change: drift repairs. */
  repairs: Step[];
  error?: string;
  /** Namespaces a targeted pass read and planned; absent for a full pass. */
  targeted?: NsRef[];
  /** Set when a reload found problems (only when they differ from the last ones reported). */
  diagnostics?: Diagnostic[];
}

export class Reconciler {
  topology?: Topology;
  filesValid = false;
  /** Desired objects (as JSON) of the last converged pass: a step on an unchanged object is a repair. */
  private lastDesired?: Map<Key, string>;
  private lastProblems = '';

  /** The desired state of the last converged full pass: what targeted passes hold the host to. */
  private desired?: DesiredState;
  private readonly cache = new ObservationCache();

  constructor(
    private readonly files: string[],
    private readonly host?: string,
    private readonly newKernel: () => Promise<Kernel> = () => createKernel(),
  ) {}

  /** Namespaces the current topology configures (where drift events matter). */
  namespaces(): NsRef[] {
    return this.nsList;
  }
  private nsList: NsRef[] = [];
  private selfHost?: string;
  /** What the last successful pass observed before applying (compile allocated from it). */
  lastObserved?: ObservedState;
  /** The host this daemon applies (--host, or the hostname in a multi-host topology). */
  get appliedHost(): string | undefined {
    return this.selfHost;
  }

  async pass(reload: boolean, scope: Scope = fullScope()): Promise<PassReport> {
    let diagnostics: Diagnostic[] | undefined;
    if (reload || !this.topology) diagnostics = await this.reload();
    if (!this.topology) return { result: 'invalid', steps: [], repairs: [], diagnostics, error: 'no valid topology yet' };
    const kernel = await this.newKernel();
    const steps: Step[] = [];
    try {
      const targeted = reload ? undefined : this.targetOf(scope);
      const r = targeted ? await this.targetedPass(kernel, scope, targeted, steps) : await this.fullPass(kernel, steps);
      const result: PassResult = this.filesValid ? 'converged' : 'invalid';
      return { result, ...r, diagnostics, ...(this.filesValid ? {} : { error: 'topology files are invalid; holding the last valid topology' }) };
    } catch (err) {
      // Whatever failed, the next pass reads and compiles everything again.
      this.desired = undefined;
      this.cache.drop();
      return { result: classify(err), steps, repairs: [], diagnostics, error: describe(err) };
    } finally {
      await kernel.close();
    }
  }

  /** The container namespaces a targeted pass is about; undefined when only a full pass will do. */
  private targetOf(scope: Scope): Set<NsRef> | undefined {
    const desired = this.desired;
    if (scope.full || !desired || !this.cache.ready) return undefined;
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
    const labels = namespacesOf(forHost(this.topology!, this.selfHost));
    // The same front half as `ctnet apply` (cli/context.ts planTopology), keeping what it read.
    const observed = fromRaw(await this.cache.readAll(kernel, [...labels.keys()]), labels);
    const desired = compile(this.topology!, observed, { host: this.selfHost });
    await observeSysctls(kernel, observed, labels, sysctlsOf(desired));
    this.cache.recordSysctls(observed);
    const p = plan(desired, observed);
    steps.push(...p.steps);
    const repairs = this.repairsOf(p.steps, desired);
    if (p.steps.length || p.conflicts.length) {
      await applyPlan(kernel, desired, observed, p, {
        observeAgain: async () => fromRaw(await this.cache.readAll(kernel, [...desired.nsLabels.keys()], sysctlsOf(desired)), desired.nsLabels),
      });
    }
    this.lastDesired = signature(desired);
    this.lastObserved = observed;
    this.desired = desired;
    return { steps, repairs };
  }

  private async targetedPass(kernel: Kernel, scope: Scope, ns: Set<NsRef>, steps: Step[]): Promise<Omit<PassReport, 'result'>> {
    const full = this.desired!;
    await this.cache.refresh(kernel, { ...scope, ns }, full);
    const desired = desiredSlice(full, ns);
    const observed = this.cache.observedSlice(ns, full.nsLabels);
    const p = plan(desired, observed);
    steps.push(...p.steps);
    if (p.steps.length || p.conflicts.length) {
      await applyPlan(kernel, desired, observed, p, {
        observeAgain: async () => {
          await this.cache.refresh(kernel, { ...touched(p.steps), ns }, full);
          return this.cache.observedSlice(ns, full.nsLabels);
        },
      });
    }
    // The topology did not change since the last full pass: every step puts back drift.
    const seen = new Set<Key>();
    const repairs = p.steps.filter((s) => !seen.has(s.key) && !!seen.add(s.key));
    return { steps, repairs, targeted: [...ns] };
  }

  /** Returns the diagnostics to report (undefined when valid or unchanged since the last report). */
  private async reload(): Promise<Diagnostic[] | undefined> {
    const { topology, diagnostics } = await loadTopology(this.files);
    let host: string | undefined;
    try {
      if (topology) host = selfHost(topology, this.host);
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      return this.invalid(err.diagnostics);
    }
    if (topology) {
      this.topology = topology;
      this.selfHost = host;
      this.nsList = [...namespacesOf(forHost(topology, host)).keys()];
      this.filesValid = true;
      this.lastProblems = '';
      const warnings = diagnostics.filter((d) => d.severity === 'warning');
      return warnings.length ? warnings : undefined;
    }
    return this.invalid(diagnostics);
  }

  private invalid(diagnostics: Diagnostic[]): Diagnostic[] | undefined {
    this.filesValid = false;
    const text = JSON.stringify(diagnostics);
    if (text === this.lastProblems) return undefined;
    this.lastProblems = text;
    return diagnostics;
  }

  private repairsOf(steps: Step[], desired: DesiredState): Step[] {
    const before = this.lastDesired;
    if (!before) return []; // first pass: nothing to compare with, these are initial changes
    const now = signature(desired);
    // A replace is two steps (delete + create) of one key: one repair.
    const seen = new Set<Key>();
    return steps.filter((s) => before.get(s.key) === now.get(s.key) && !seen.has(s.key) && !!seen.add(s.key));
  }
}

/** What verify must read again after these steps, besides the pass's namespaces (read whole anyway). */
function touched(steps: Step[]): Scope {
  const s = emptyScope();
  for (const { op } of steps) {
    if (op.op === 'nft.apply') s.nft = true;
    else if (op.op === 'netns.create' || op.op === 'netns.delete') s.netns = true;
    else if (op.op === 'hosts.write' || op.op === 'hosts.delete') s.files = true;
    else if (op.op === 'link.delete') { if (op.ns === HOST && op.objs.some((o) => o.kind !== 'veth')) s.host = true; }
    else if (op.op === 'link.create') { if (op.obj.kind !== 'veth') s.host = true; }
    else if (op.op === 'link.update') { if (op.obj.ns === HOST && op.obj.kind !== 'veth') s.host = true; }
    else if (op.obj.ns === HOST) s.host = true; // a host address, route or sysctl
  }
  return s;
}

function signature(d: DesiredState): Map<Key, string> {
  return new Map([...d.objects].map(([k, o]) => [k, JSON.stringify(o)]));
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
