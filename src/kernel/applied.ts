// What ctnet last applied for a project on this host: a digest per object of the desired state of its
// last verified apply (plan/reasons.ts tells `changed` from `drifted` with it). A record, not a mark:
// nothing is owned by it, and when it is lost (a reboot empties /run with the kernel's state) steps
// only read "drifted" as they did before there were records. One file per project and host namespace.
import { hostMark, markedHere, type HostMark } from './netns.js';
import type { NsCtx } from './nsctx.js';
import { projectRecord, readJson, writeJson } from './records.js';

export const APPLIED_DIR = '/run/ctnet/applied';

interface Record extends HostMark { project: string; digests: { [key: string]: string } }

export function readApplied(ctx: NsCtx, project: string): { [key: string]: string } | undefined {
  const rec = readJson<Record>(projectRecord(APPLIED_DIR, ctx, project));
  return rec && markedHere(rec, ctx) ? rec.digests : undefined;
}

/** A project with nothing left has no record. */
export function writeApplied(ctx: NsCtx, project: string, digests: { [key: string]: string }): void {
  writeJson(projectRecord(APPLIED_DIR, ctx, project), Object.keys(digests).length ? { ...hostMark(ctx), project, digests } : undefined);
}
