// One reconcile pass: (re)load the files if asked, then load -> observe ->
// compile -> plan -> applyPlan, exactly like `ctnet apply`, whatever object
// kinds the model has. A fresh kernel adapter per pass: its sockets would
// otherwise pin namespaces that an operator deleted (KERNEL-FACTS B1).
// An invalid edit never replaces the last good topology: the daemon keeps
// holding the host to the last topology that was valid (drift is still
// repaired), applies nothing from the invalid files, and reports the problem.
import { applyPlan } from '../apply/index.js';
import { ConflictError, SpecError, VerifyError, type Diagnostic } from '../errors.js';
import { planTopology, selfHost } from '../cli/context.js';
import { createKernel } from '../kernel/index.js';
import type { Step } from '../model/ops.js';
import type { DesiredState, Key, NsRef, ObservedState } from '../model/state.js';
import { forHost, loadTopology, namespacesOf, type Topology } from '../spec/index.js';
import { errorText } from './log.js';

export type PassResult = 'converged' | 'invalid' | 'conflict' | 'failed';

export interface PassReport {
  result: PassResult;
  steps: Step[];
  /** Steps that put back something the topology did not change: drift repairs. */
  repairs: Step[];
  error?: string;
  /** Set when a reload found problems (only when they differ from the last ones reported). */
  diagnostics?: Diagnostic[];
}

export class Reconciler {
  topology?: Topology;
  filesValid = false;
  /** Desired objects (as JSON) of the last converged pass: a step on an unchanged object is a repair. */
  private lastDesired?: Map<Key, string>;
  private lastProblems = '';

  constructor(private readonly files: string[], private readonly host?: string) {}

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

  async pass(reload: boolean): Promise<PassReport> {
    let diagnostics: Diagnostic[] | undefined;
    if (reload || !this.topology) diagnostics = await this.reload();
    if (!this.topology) return { result: 'invalid', steps: [], repairs: [], diagnostics, error: 'no valid topology yet' };
    const kernel = await createKernel();
    let steps: Step[] = [];
    try {
      // The same front half as `ctnet apply`, so watch follows whatever kinds the model grows.
      const { desired, observed, plan: p } = await planTopology(kernel, this.topology, this.selfHost);
      steps = p.steps;
      const repairs = this.repairsOf(steps, desired);
      if (steps.length || p.conflicts.length) await applyPlan(kernel, desired, observed, p);
      this.lastDesired = signature(desired);
      this.lastObserved = observed;
      const result: PassResult = this.filesValid ? 'converged' : 'invalid';
      return { result, steps, repairs, diagnostics, ...(this.filesValid ? {} : { error: 'topology files are invalid; holding the last valid topology' }) };
    } catch (err) {
      return { result: classify(err), steps, repairs: [], diagnostics, error: describe(err) };
    } finally {
      await kernel.close();
    }
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
