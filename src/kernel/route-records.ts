// Which project a host-namespace route belongs to. A route's only mark is its protocol
// (one byte, RTPROT 0xc7 for every project), so a route made for a project other than
// `default` is recorded under /run/ctnet/routes BEFORE it is created and forgotten
// AFTER it is deleted (like the namespace markers): a crash in between leaves a record
// of a route that is not there, never a route of one project that another takes for
// its own. An owned route with no record is `default`'s (routes made before projects).
// One file per project and host namespace (netns.ts hostTag); several sandbox hosts share /run.
import { readdirSync } from 'node:fs';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { HOST, type RouteObj } from '../model/state.js';
import { hostMark, markedHere, type HostMark } from './netns.js';
import type { NsCtx } from './nsctx.js';
import type { RouteRecord } from './port.js';
import { projectRecord, readJson, writeJson } from './records.js';

export const ROUTES_DIR = '/run/ctnet/routes';

interface Record extends HostMark { project: string; dsts: string[] }

/** The project a route needs recording for, or undefined (a container's route, a default project's). */
const recordedProject = (r: RouteObj) => (r.ns === HOST && r.owner?.project && r.owner.project !== DEFAULT_PROJECT ? r.owner.project : undefined);

/** Before creating: record the route under its project. */
export function recordRoute(ctx: NsCtx, r: RouteObj): void {
  const project = recordedProject(r);
  if (project === undefined) return;
  const file = projectRecord(ROUTES_DIR, ctx, project);
  const rec = readJson<Record>(file) ?? { ...hostMark(ctx), project, dsts: [] };
  if (!rec.dsts.includes(r.dst)) writeJson(file, { ...rec, dsts: [...rec.dsts, r.dst].sort() });
}

/** After deleting: forget it (the file goes with the project's last route). */
export function forgetRoute(ctx: NsCtx, r: RouteObj): void {
  const project = recordedProject(r);
  if (project === undefined) return;
  const file = projectRecord(ROUTES_DIR, ctx, project);
  const rec = readJson<Record>(file);
  if (!rec) return;
  const dsts = rec.dsts.filter((d) => d !== r.dst);
  writeJson(file, dsts.length ? { ...rec, dsts } : undefined);
}

export function listRouteRecords(ctx: NsCtx): RouteRecord[] {
  let names: string[];
  try { names = readdirSync(ROUTES_DIR).sort(); } catch { return []; }
  const out: RouteRecord[] = [];
  for (const name of names) {
    const rec = readJson<Record>(`${ROUTES_DIR}/${name}`);
    if (!rec || !markedHere(rec, ctx)) continue;
    for (const dst of rec.dsts) out.push({ dst, project: rec.project });
  }
  return out;
}
