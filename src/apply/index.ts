// apply = refuse on conflicts, execute, verify (re-observe, re-plan: must be
// empty), and on any failure put the host back as it was before.
import { ApplyError, ConflictError, VerifyError } from '../errors.js';
import type { Kernel } from '../kernel/port.js';
import { kindOfKey } from '../model/keys.js';
import type { Plan, Step } from '../model/ops.js';
import { HOST, projectOf, type DesiredState, type NsRef, type ObservedState, type VethObj } from '../model/state.js';
import { hasKind } from '../model/slice.js';
import { observe, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { execute, type ExecuteOptions } from './execute.js';
import { snapshotAsDesired } from './restore.js';

export interface ApplyOptions extends ExecuteOptions {
  /** How to read the host again for verify and restore (default: observe everything the desired
   *  state names). `ctnet watch` passes a read of just the namespaces its pass is about. */
  observeAgain?: () => Promise<ObservedState>;
}

export interface ApplyResult {
  done: Step[];
  ms: number;
}

export async function applyPlan(
  kernel: Kernel,
  desired: DesiredState,
  before: ObservedState,
  thePlan: Plan,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  // Verify and restore must look at the same slice of the host as `before` and `desired`:
  // restoring a partial snapshot against a full observation would delete everything else.
  const fw = hasKind(desired, 'fwaccept') || hasKind(before, 'fwaccept');
  const again = opts.observeAgain ?? (() => observe(kernel, desired.nsLabels, sysctlsOf(desired), projectOf(desired), fw));
  if (thePlan.conflicts.length) {
    throw new ConflictError(thePlan.conflicts);
  }
  let result;
  try {
    result = await execute(kernel, thePlan, opts);
  } catch (err) {
    if (err instanceof ApplyError) err.undoErrors.push(...(await restore(kernel, desired, before, again)));
    throw err;
  }
  await announceAttached(kernel, desired, result.done);
  const after = await again();
  const remaining = plan(desired, after);
  if (remaining.steps.length > 0) {
    const verifyErr = new VerifyError(remaining.steps);
    await restore(kernel, desired, before, again);
    throw verifyErr;
  }
  return result;
}

/** Best effort: bring back the pre-apply state. Returns what could not be restored. */
async function restore(kernel: Kernel, desired: DesiredState, before: ObservedState, again: () => Promise<ObservedState>): Promise<Error[]> {
  try {
    const now = withoutUnknowable(await again(), before);
    const back = plan(snapshotAsDesired(before, desired.nsLabels, desired.project), now);
    if (back.steps.length === 0) return [];
    await execute(kernel, { ...back, conflicts: [] });
    return [];
  } catch (err) {
    const e = err as ApplyError;
    return [new Error(`restore: ${e.message}`), ...(e.undoErrors ?? [])];
  }
}

/** The snapshot cannot say how to make again a veth whose peer was not seen (its container's namespace
 *  was not read): it is left out of it, and so must it be out of what restore compares it with, or
 *  restore would delete a veth the failed apply never touched. (Orphans are different: never wanted,
 *  restore may finish deleting them.) */
function withoutUnknowable(now: ObservedState, before: ObservedState): ObservedState {
  const objects = new Map(now.objects);
  for (const [key, o] of before.objects) if (o.kind === 'veth' && !o.peerNs && kindOfKey(key) !== 'orphan') objects.delete(key);
  return { ...now, objects };
}

/** The host learns the MAC of every container IPv4 address this apply added (kernel/announce.ts). */
async function announceAttached(kernel: Kernel, desired: DesiredState, done: Step[]): Promise<void> {
  const added = done.flatMap((s) => (s.op.op === 'addr.add' && s.op.obj.family === 4 && s.op.obj.ns !== HOST ? [s.op.obj] : []));
  if (added.length === 0) return;
  const ends = new Map<string, VethObj>();
  for (const o of desired.objects.values()) if (o.kind === 'veth') ends.set(`${o.peerNs}\n${o.peerName}`, o);
  const byBridge = new Map<string, { ns: NsRef; entries: { ip: string; mac: string }[] }>();
  for (const a of added) {
    const v = ends.get(`${a.ns}\n${a.dev}`);
    if (!v?.peerMac) continue;
    const b = byBridge.get(v.bridge) ?? byBridge.set(v.bridge, { ns: v.ns, entries: [] }).get(v.bridge)!;
    b.entries.push({ ip: a.address, mac: v.peerMac });
  }
  await Promise.all([...byBridge].map(([bridge, b]) => kernel.announce(b.ns, bridge, b.entries).catch(() => undefined)));
}
