// One watch pass = reconcile() (src/reconcile) with the parts the triggers named.
// What the daemon keeps between passes: the desired state of the last converged
// pass (what a drift pass holds the host to), the last observation (so a pass
// reads again only its parts) and one kernel adapter. A pass is
//   full    (start, SIGHUP with no valid state kept, ALL parts, after a failed
//           edit): exactly `ctnet apply`, with a fresh adapter and nothing kept;
//   edit    the files changed: compile against the last desired state (addresses
//           and host ports stay put; a container whose inputs did not change keeps
//           its objects, spec/compile.ts) and reconcile the parts the edit changed;
//   drift   reconcile the triggers' parts against the last desired state.
// Opening a socket inside each namespace again on every pass costs more than the
// read, so the adapter is kept; its sockets would pin namespaces an operator
// deleted (KERNEL-FACTS B1), so the daemon releases a namespace whose file
// vanished, an edit releases the namespaces it drops, and a full pass or a failed
// one starts with a fresh adapter.
import { ConflictError, SpecError, renderError, type Diagnostic } from '../errors.js';
import { createKernel } from '../kernel/index.js';
import type { HostLock, Kernel, LockHolder } from '../kernel/port.js';
import { thisProcess } from '../kernel/lock.js';
import { kindOfKey } from '../model/keys.js';
import { changedByEdit, digestsOf } from '../plan/reasons.js';
import type { Step, Waiting } from '../model/ops.js';
import { ALL, NONE, changedParts, isAll, union, type Parts } from '../model/parts.js';
import { HOST, projectOf, type DesiredState, type ForeignObj, type Key, type NsRef, type ObservedState } from '../model/state.js';
import type { Observation } from '../observe/index.js';
import { reconcile, type Reconciled } from '../reconcile/index.js';
import { prepare } from '../reconcile/prepare.js';
import { hostChangedUnder } from '../reconcile/stale.js';
import { compile, type CompileMemo, type Topology } from '../spec/index.js';
import { resolveDocker, type EngineCache } from '../docker/resolve.js';
import { Isolation } from './isolation.js';
import { TopologySource } from './topology-source.js';

export type PassResult = 'converged' | 'invalid' | 'conflict' | 'failed';

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
  /** A failed pass: what its retry must read and plan (ALL: start over). */
  retry?: Parts;
  /** Set when a reload found problems (only when they differ from the last ones reported). */
  diagnostics?: Diagnostic[];
  /** Containers this pass isolated (they kept failing: left out of every pass, retried alone). */
  isolated?: NsRef[];
  /** Isolated containers that converged again in this pass. */
  released?: NsRef[];
  /** Containers left out because their namespace is gone (not running): not a failure. */
  waiting?: Waiting[];
  /** The host changed under this pass's first plan (hostChangedUnder: its apply failed with an errno that says
   *  so, or its verify found the work undone): the error, said at info. The pass read the host again and planned
   *  once more. */
  raced?: string;
  /** The resync found the files changed since the last look and left them to a file pass (TopologySource). */
  unsettled?: boolean;
}

/** How long a pass waits for an `apply` of another project to finish before it fails (and is retried). */
const WRITE_WAIT_MS = 60_000;

interface Kept { desired: DesiredState; observation: Observation }

export class Passes {
  private readonly source: TopologySource;
  /** The last converged (or undone) state: what targeted passes hold the host to and read on top of. */
  private kept?: Kept;
  /** The desired state of the last converged pass: a step on an object it had unchanged is a repair. */
  private lastConverged?: DesiredState;
  private kernel?: Kernel;
  /** What each container compiled to last: an edit builds again only the containers whose inputs changed. */
  private readonly memo: CompileMemo = new Map();
  /** Containers that keep failing, left out of every pass but their own retries. */
  readonly isolation = new Isolation();

  /** `project`: the project this daemon manages (only the files of that project count). Every pass holds
   *  the host's write lock while it reads, plans and applies: one writer at a time, with `ctnet apply`
   *  of other projects waiting for the pass rather than fighting it (and the pass for them). */
  constructor(files: string[], host?: string, private readonly newKernel: () => Promise<Kernel> = () => createKernel(), project?: string) {
    this.source = new TopologySource(files, host, project);
    this.me = thisProcess(files);
  }
  private readonly me: LockHolder;

  /** The last valid topology, if any. */
  get topology(): Topology | undefined { return this.source.topology; }
  /** The files are valid now (otherwise the last valid topology is being held). */
  get filesValid(): boolean { return this.source.filesValid; }
  /** Namespaces the current topology configures (where drift events matter): as the last pass resolved
   *  them (a Docker container's is its process's, and none while it is not running). */
  namespaces(): NsRef[] { return this.resolvedNs ?? this.source.namespaces.filter(enterable); }
  private resolvedNs?: NsRef[];
  /** What the engine said of the Docker containers at the last pass (resolve.ts). */
  private engineSignature?: string;
  private engineSaid = '[]';
  private readonly engineCache: EngineCache = new Map();
  private staleDocker = new Set<string>();
  /** The engine said something about these containers (an event): the next pass asks about them again. */
  dockerChanged(refs: Iterable<string>): void { for (const r of refs) this.staleDocker.add(r); }
  /** The host this daemon applies (--host, or the hostname in a multi-host topology). */
  get appliedHost(): string | undefined { return this.source.selfHost; }
  /** The desired state of the last converged pass (what the managed files are). */
  get converged(): DesiredState | undefined { return this.lastConverged; }
  /** The host as the last converged pass left it, in the observed shape (what DNS allocates names from).
   *  It is the desired state itself: once verified the kernel holds exactly that, and keeping a whole
   *  second observation of 1000 containers around would only cost memory. */
  get lastObserved(): ObservedState | undefined {
    return this.lastConverged && asObserved(this.lastConverged);
  }

  /** One pass over `parts` (default: all of them). `reload`: read the topology files again first; `settle`: that
   *  reload is the periodic resync's, not asked for by a file event (TopologySource.reload). */
  async pass({ reload, parts = ALL, settle = false }: { reload: boolean; parts?: Parts; settle?: boolean }): Promise<PassReport> {
    let diagnostics: Diagnostic[] | undefined;
    let changed = false;
    let unsettled: boolean | undefined;
    if (reload || !this.topology) {
      const r = await this.source.reload(settle);
      ({ changed, diagnostics, unsettled } = r);
      this.release(r.dropped); // our sockets would keep them alive
    }
    if (!this.topology) return { result: 'invalid', steps: [], repairs: [], diagnostics, error: 'no valid topology yet' };
    // Docker containers as the engine has them now: a start or stop changes their namespace, which an
    // edit pass then plans like any other change (their addresses stay where they were).
    // Only the containers events named are asked about again, but on a full pass or a reload (the resync).
    const stale = reload || isAll(parts) ? undefined : this.staleDocker;
    const engine = await resolveDocker(this.topology, this.appliedHost, undefined, this.engineCache, stale);
    this.staleDocker = new Set();
    const topology = engine.topology;
    if (engine.signature !== this.engineSignature) {
      if (this.engineSignature !== undefined) changed = true;
      this.engineSignature = engine.signature;
    }
    const said = JSON.stringify(engine.warnings);
    if (said !== this.engineSaid) { // reported once, not at every pass
      this.engineSaid = said;
      if (engine.warnings.length) diagnostics = [...(diagnostics ?? []), ...engine.warnings];
    }
    const kept = isAll(parts) ? undefined : this.kept;
    this.kept = undefined; // until this pass converges or is undone
    if (!kept || !this.kernel) {
      await this.kernel?.close();
      this.kernel = await this.newKernel();
    }
    const kernel = this.kernel;
    kernel.revalidate(); // namespace files may name other namespaces than when our sockets were opened
    let desired: DesiredState;
    let r: Reconciled;
    let editKeys: Set<Key> | undefined;
    let writing: HostLock | undefined;
    let raced: string | undefined;
    let neighbours: ForeignObj[] | undefined;
    try {
      writing = await kernel.lock('write', this.me, WRITE_WAIT_MS);
      if (!kept) {
        const front = await prepare(kernel, topology, this.appliedHost, undefined, this.memo);
        desired = front.desired;
        neighbours = front.neighbours;
        r = await reconcile(kernel, desired, { parts: this.isolation.exclude(ALL, desired), previous: front.observation, converted: front.converted, reread: NONE, neighbours });
      } else if (changed) {
        desired = compile(topology, asObserved(kept.desired), { host: this.appliedHost, memo: this.memo });
        const c = changedParts(kept.desired, desired);
        editKeys = c.keys;
        r = await reconcile(kernel, desired, { parts: this.isolation.exclude(union(parts, c.parts), desired), previous: kept.observation });
      } else {
        desired = kept.desired;
        r = await reconcile(kernel, desired, { parts: this.isolation.exclude(parts, desired), previous: kept.observation });
      }
      if (r.error && hostChangedUnder(r.error)) {
        // The kernel disagreed with what the plan was made against (a device gone, a name taken) and the
        // apply was undone: the host changed meanwhile, most often in a way whose own event has not come
        // yet. A deleted bridge is the usual case: the kernel announces its ports first and the bridge
        // only after an RCU grace period, so a pass the ports' events started still had the bridge in
        // the host part it kept. Read again (the host part whole) and plan once more, now; a second
        // failure is a failure (the scheduler's backoff, isolation).
        raced = describe(r.error);
        const again = union(r.retry ?? ALL, ['host']);
        r = await reconcile(kernel, desired, { parts: this.isolation.exclude(again, desired), previous: r.observation, ...(neighbours ? { neighbours } : {}) });
      }
    } catch (err) {
      return this.failed(kernel, err, diagnostics); // waiting, a read or compile failed: nothing was changed
    } finally {
      writing?.release();
      kernel.rest(); // nothing is asked inside the containers until the next pass
    }
    this.resolvedNs = [...desired.nsLabels.keys()].filter(enterable);
    // A full pass planned every container but the isolated ones: it is still a full pass.
    const targeted = kept && r.containers ? { targeted: r.containers } : {};
    const notes = { ...(raced ? { raced } : {}), ...(unsettled ? { unsettled } : {}) }; // whatever the outcome
    if (r.error) {
      const isolated = this.isolation.failed(r.error, desired);
      const more = { steps: r.plan.steps, ...targeted, ...(isolated.length ? { isolated } : {}), ...notes };
      // Undone. A drift pass's desired state still holds, and what was read is as good as before (the undo
      // read the slice again): its retry is a pass about the same parts. An edit or a full pass starts over.
      if (kept && !changed) {
        this.kept = { desired, observation: r.observation };
        return { ...this.failed(kernel, r.error, diagnostics, false), ...more, retry: r.retry };
      }
      return { ...this.failed(kernel, r.error, diagnostics), ...more };
    }
    // An edit's own steps say "changed"; what the kernel lost meanwhile stays "drifted".
    const steps = changedByEdit(r.plan, editKeys).steps;
    // What a later `ctnet apply` tells changes from drift by: written by full passes and when the daemon
    // stops (close()), not by every edit: a digest of 1000 containers' objects costs ~10-25 ms.
    if (!kept) await this.recordApplied(kernel, desired);
    const released = this.isolation.converged(r.containers, desired);
    const repairs = this.repairsOf(steps, desired, editKeys);
    this.kept = { desired, observation: r.observation };
    this.lastConverged = desired;
    const valid = this.filesValid;
    return {
      result: valid ? 'converged' : 'invalid', steps, repairs, diagnostics,
      ...targeted, ...(editKeys ? { edited: true } : {}), ...(released.length ? { released } : {}),
      ...(r.plan.waiting ? { waiting: r.plan.waiting } : {}), ...notes,
      ...(valid ? {} : { error: 'topology files are invalid; holding the last valid topology' }),
    };
  }

  private failed(kernel: Kernel, err: unknown, diagnostics: Diagnostic[] | undefined, dropAll = true): PassReport {
    if (dropAll) {
      // Start over: a full pass, fresh sockets, nothing kept.
      this.kept = undefined;
      this.kernel = undefined;
      void kernel.close();
    }
    return { result: classify(err), steps: [], repairs: [], diagnostics, error: describe(err), retry: ALL };
  }

  /** Close what is held open inside these namespaces (their files vanished or they left the topology). */
  release(namespaces: Iterable<NsRef>): void {
    for (const ns of namespaces) this.kernel?.release(ns);
  }

  private async recordApplied(kernel: Kernel, desired: DesiredState): Promise<void> {
    await kernel.writeApplied(projectOf(desired), digestsOf(desired)).catch(() => undefined);
  }

  /** Close the kept adapter (the daemon is stopping), recording what it last converged to. */
  async close(): Promise<void> {
    if (this.kernel && this.lastConverged) await this.recordApplied(this.kernel, this.lastConverged);
    await this.kernel?.close();
    this.kernel = undefined;
  }

  /** Held to an unchanged desired state, every step puts back drift; steps of objects an edit changed,
   *  and of unchanged ones it re-makes (a route on a re-addressed link), are the edit's own work. */
  private repairsOf(steps: Step[], desired: DesiredState, editKeys?: Set<Key>): Step[] {
    if (!this.lastConverged) return []; // first pass: nothing to compare with, these are initial changes
    const changed = editKeys ?? (this.lastConverged === desired ? undefined : changedParts(this.lastConverged, desired).keys);
    const seen = new Set<Key>(); // a replace is two steps (delete + create) of one key: one repair
    return steps.filter((s) => !seen.has(s.key) && !!seen.add(s.key) && !(changed && (changed.has(s.key) || s.reason === 'parent-replaced')));
  }
}

/** A namespace events can be listened for in: the host's, or one named by a file (not a `docker:` container
 *  that is not running). */
const enterable = (ns: NsRef): boolean => ns === HOST || ns.startsWith('/');

/** A desired state in the observed shape: what compile allocates from when the kernel is known to hold it. */
function asObserved(d: DesiredState): ObservedState {
  return { objects: d.objects, foreign: [], presentNs: new Set(d.nsLabels.keys()) };
}

function classify(err: unknown): PassResult {
  if (err instanceof SpecError) return 'invalid';
  if (err instanceof ConflictError) return 'conflict';
  return 'failed';
}

/** The same words the CLI prints for this error (positions of diagnostics included), on one line. */
function describe(err: unknown): string {
  return renderError(err).lines.map((l) => l.trim()).join('; ');
}

/** The repair counter's label for a step. */
export const repairKind = (s: Step): string => kindOfKey(s.key);
