// reconcile(kernel, desired, { parts, previous }): the one path from a desired
// state to a converged host, for `ctnet apply`/`plan` and for every pass of
// `ctnet watch` (full, edit, drift, resync chunk, retry). A pass is "which parts
// of the host to read and plan" plus the desired state:
//   read   the parts again on top of the previous observation (all: everything)
//   plan   desired ∩ (host ∪ those containers) against the same slice of what was read
//   apply  execute, verify by reading the same slice again, undo on failure
// A failure does not throw: the result says what went wrong and which parts a
// retry must read and plan. Whether to retry, and when to fall back to a full
// pass, is the caller's decision (the watch scheduler's).
import { applyPlan } from '../apply/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan, Step } from '../model/ops.js';
import { ALL, containersIn, ctrPart, isAll, linkPart, nsPart, touched, union, type Part, type Parts } from '../model/parts.js';
import { desiredSlice, desiredWithout, hasKind, objectsByPart, sysctlsIn } from '../model/slice.js';
import { projectOf, type DesiredState, type ForeignObj, type NsRef, type ObservedState } from '../model/state.js';
import { fromRaw, observationSlice, observationWithout, readMissingSysctls, readParts, sameLabels, withSysctls, type Observation } from '../observe/index.js';
import { waitingIn } from './waiting.js';
import { plan as planOf } from '../plan/index.js';
import { withReasons } from '../plan/reasons.js';

export interface ReconcileOptions {
  /** What this pass reads and plans: ALL, or some containers (`ns:`/`ctr:`) and host-wide parts. */
  parts: Parts;
  /** An earlier observation: every part this pass does not read again is taken from it. */
  previous?: Observation;
  /** What of `previous` is out of date (default: `parts`). NONE when `previous` was read just now
   *  for this pass (the front half read it to compile the topology). */
  reread?: Parts;
  /** Plan only (`ctnet plan`): read and plan, change nothing. */
  dryRun?: boolean;
  /** Other projects' objects that the reads of this pass do not show (prepare's neighbours): the plan
   *  checks them for conflicts. */
  neighbours?: ForeignObj[];
  /** What the last verified apply of the project asked for (kernel.readApplied): steps of objects the
   *  topology changed since read "changed" instead of "drifted" (plan/reasons.ts). */
  applied?: Readonly<Record<string, string>>;
  /** The front half's conversion of `previous` (prepare): a full pass that reads nothing again (but the
   *  sysctls compiling asked for: withSysctls adds them) plans against it when the desired state labels the
   *  same namespaces, instead of converting the same read again (~25 ms at 1000 containers). Passed, not
   *  remembered: a daemon keeps the observation, not this. */
  converted?: Converted;
  /** Called with the plan before anything is changed (the CLI prints it). */
  onPlan?: (plan: Plan) => void;
}

/** An observation converted for these labels (fromRaw). */
export interface Converted { labels: Map<NsRef, string>; observed: ObservedState }

export interface Reconciled {
  plan: Plan;
  /** Steps applied and verified (empty for a dry run or a converged host). */
  done: Step[];
  ms: number;
  /** The host as last read: after verify, or after the undo of a failed apply. */
  observation: Observation;
  /** The observed slice the plan was made against (show, bound-port checks). */
  observed: ObservedState;
  /** The container namespaces a targeted pass read and planned; undefined for a full pass. */
  containers?: NsRef[];
  /** The apply failed (and was undone as far as the error says); absent on success. */
  error?: unknown;
  /** With `error`: what a retry must read and plan. */
  retry?: Parts;
}

export async function reconcile(kernel: Kernel, desired: DesiredState, opts: ReconcileOptions): Promise<Reconciled> {
  const full = isAll(opts.parts);
  const labels = desired.nsLabels;
  const containers = full ? undefined : containersIn(opts.parts, labels);
  const own = full ? ALL : containerReads(desired, opts.parts, containers!);
  const reads = union(opts.parts, own);
  const sysctls = sysctlsIn(desired, containers);
  const project = projectOf(desired);
  const reread = opts.reread ?? reads;
  const fw = hasKind(desired, 'fwaccept');
  let obs = reread.size === 0 && opts.previous ? opts.previous : await readParts(kernel, labels, { parts: reread, previous: opts.previous, sysctls, project, fw });
  // Namespaces the desired state labels that were not read yet: compiling may add some (those of containers
  // the topology dropped, whose contents an undo must be able to put back).
  const unread = [...(containers ?? labels.keys())].filter((ns) => labels.has(ns) && !obs.dumps.has(ns));
  if (unread.length) obs = await readParts(kernel, labels, { parts: new Set(unread.map(nsPart)), previous: obs, sysctls, project });
  const beforeSysctls = obs;
  obs = await readMissingSysctls(kernel, obs, sysctls);

  // Containers whose namespace is gone wait: left out on both sides, so they block nothing else.
  const waiting = waitingIn(desired, obs, containers ?? labels.keys());
  const gone = new Set(waiting.map((w) => w.ns));
  const sliced = containers ? desiredSlice(desired, containers) : desired;
  const want = gone.size ? desiredWithout(sliced, gone) : sliced;
  const present = gone.size ? new Map([...labels].filter(([ns]) => !gone.has(ns))) : labels;
  const view = (o: Observation) => {
    const part = containers ? observationSlice(o, containers, labels) : o;
    return gone.size ? fromRaw(observationWithout(part, gone, labels), present, project) : fromRaw(part, labels, project);
  };
  const reuse = full && !gone.size && beforeSysctls === opts.previous && opts.converted && sameLabels(opts.converted.labels, labels)
    ? withSysctls(opts.converted.observed, beforeSysctls, obs, labels, project) : undefined;
  const seen = reuse ?? view(obs);
  const observed = opts.neighbours?.length ? { ...seen, foreign: [...seen.foreign, ...opts.neighbours] } : seen;
  const planned = withReasons(planOf(want, observed), want, opts.applied);
  const plan = waiting.length ? { ...planned, waiting } : planned;
  opts.onPlan?.(plan);
  const result = { plan, done: [] as Step[], ms: 0, observation: obs, observed, ...(containers ? { containers: [...containers] } : {}) };
  if (opts.dryRun || (plan.steps.length === 0 && plan.conflicts.length === 0)) return result;

  // Verify and undo read the slice this pass planned again, plus whatever its steps touched.
  const again = full ? ALL : union(own, touched(plan.steps));
  try {
    const r = await applyPlan(kernel, want, observed, plan, {
      observeAgain: async () => view((obs = await readParts(kernel, labels, { parts: again, previous: obs, sysctls, project, fw }))),
    });
    return { ...result, done: r.done, ms: r.ms, observation: obs };
  } catch (error) {
    return { ...result, observation: obs, error, retry: full ? ALL : union(reads, touched(plan.steps)) };
  }
}

/** What reading a targeted pass's containers takes: their dumps, and their veth host ends both by
 *  mark (`ctr:`, also for containers known only by it) and by the names the topology gives them (a new
 *  end is not in the previous host dump; a link of that name made by someone else is a conflict). */
function containerReads(desired: DesiredState, parts: Parts, containers: Set<NsRef>): Parts {
  const out: Part[] = [...parts].filter((p) => p.startsWith('ctr:'));
  const byPart = objectsByPart(desired);
  for (const ns of containers) {
    const label = desired.nsLabels.get(ns);
    out.push(nsPart(ns));
    if (label !== undefined) out.push(ctrPart(label));
    for (const o of byPart.get(ns) ?? []) if (o.kind === 'veth') out.push(linkPart(o.name));
  }
  return union(out);
}
