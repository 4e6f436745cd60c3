// plan(desired, observed): the one entry point of the pure planner. Imports
// nothing that touches the host (STYLE 4.3): same inputs, same plan, always.
import type { Plan } from '../model/ops.js';
import type { DesiredState, ObservedState } from '../model/state.js';
import { findConflicts } from './conflicts.js';
import { diff } from './diff.js';
import { unreachableNextHops } from './nexthops.js';
import { order } from './order.js';

export function plan(desired: DesiredState, observed: ObservedState): Plan {
  const steps = order(diff(desired, observed), desired);
  const conflicts = [...findConflicts(desired, observed, steps), ...unreachableNextHops(desired, observed, steps)];
  return { formatVersion: 1, steps, conflicts };
}

export { renderJson, renderText } from './render.js';
export { undo, undoAll } from './inverse.js';
