// Returning the host to the state it had before an apply. The journal undo in
// execute.ts reverses each step, but some steps cannot be reversed alone: a
// deleted veth takes its addresses and routes with it. So after the journal
// undo, apply plans again with the pre-apply observation as the desired state
// (nmstate's checkpoint idea) and runs that plan: whatever the journal could not
// bring back is re-created from the snapshot.
import type { DesiredState, NsRef, ObservedState, OwnedObj } from '../model/state.js';
import { recreatable } from '../plan/inverse.js';

export function snapshotAsDesired(before: ObservedState, labels: Map<NsRef, string>, project?: string): DesiredState {
  const objects = new Map<string, OwnedObj>();
  for (const [key, obj] of before.objects) if (recreatable(obj)) objects.set(key, obj);
  return { objects, origin: new Map(), nsLabels: labels, ...(project !== undefined ? { project } : {}) };
}
