// Saved plans (TOPOLOGY.md): `ctnet plan -f F --out PLAN` writes the reviewed plan with the desired state it
// leads to and a fingerprint of what the host held when it was made; `ctnet apply --plan PLAN` applies
// exactly those steps, and only if the host still holds exactly that (otherwise "stale plan", nothing
// changed). The fingerprint covers everything the planner looked at: ctnet's objects, the foreign ones
// (conflicts) and which namespaces exist.
import { digest } from '../builtin.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Plan } from '../model/ops.js';
import { canonical } from '../plan/render.js';
import type { DesiredState, ObservedState, OwnedObj } from '../model/state.js';

const KIND = 'ctnet-plan';

export interface SavedPlan {
  kind: typeof KIND;
  formatVersion: 1;
  createdAt: string;
  files: string[];
  host?: string;
  /** sha256 of what the host held when the plan was made. */
  fingerprint: string;
  desired: { objects: OwnedObj[]; nsLabels: [string, string][]; project?: string };
  plan: Plan;
}

export function fingerprint(o: ObservedState): string {
  const objects = [...o.objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return digest('sha256', JSON.stringify(canonical([objects, o.foreign, [...o.presentNs].sort()])), 'hex');
}

export function writePlan(path: string, plan: Plan, desired: DesiredState, observed: ObservedState, files: string[], host?: string): void {
  const saved: SavedPlan = {
    kind: KIND, formatVersion: 1, createdAt: new Date().toISOString(), files, ...(host ? { host } : {}),
    fingerprint: fingerprint(observed),
    desired: { objects: [...desired.objects.values()], nsLabels: [...desired.nsLabels], ...(desired.project ? { project: desired.project } : {}) },
    plan,
  };
  writeFileSync(path, JSON.stringify(saved, null, 1) + '\n');
}

export function readPlan(path: string): { saved: SavedPlan; desired: DesiredState } {
  let saved: SavedPlan;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as SavedPlan;
  } catch (err) {
    throw new UsageError(`--plan ${path}: cannot read it as a plan (${(err as Error).message})`, 'make one with `ctnet plan -f FILE --out PLAN`');
  }
  if (saved?.kind !== KIND || saved.formatVersion !== 1 || !Array.isArray(saved.desired?.objects) || !Array.isArray(saved.plan?.steps)) {
    throw new UsageError(`--plan ${path}: not a plan written by \`ctnet plan --out\` (format 1)`, 'make one with `ctnet plan -f FILE --out PLAN`');
  }
  const desired: DesiredState = {
    objects: new Map(saved.desired.objects.map((o) => [o.key, o])),
    origin: new Map(),
    nsLabels: new Map(saved.desired.nsLabels),
    ...(saved.desired.project ? { project: saved.desired.project } : {}),
  };
  return { saved, desired };
}
