// What ctnet last applied for a project on this host: a digest per object of the desired state of its
// last verified apply (plan/reasons.ts tells `changed` from `drifted` with it). A record, not a mark:
// nothing is owned by it, and when it is lost (a reboot empties /run with the kernel's state) steps
// only read "drifted" as they did before there were records. One file per project and host namespace.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostMark, hostTag, markedHere, type HostMark } from './netns.js';
import type { NsCtx } from './nsctx.js';

export const APPLIED_DIR = '/run/ctnet/applied';

interface Record extends HostMark { project: string; digests: { [key: string]: string } }

const fileOf = (ctx: NsCtx, project: string) => `${APPLIED_DIR}/${project}@${hostTag(ctx)}`;

export function readApplied(ctx: NsCtx, project: string): { [key: string]: string } | undefined {
  try {
    const rec = JSON.parse(readFileSync(fileOf(ctx, project), 'utf8')) as Record;
    return markedHere(rec, ctx) ? rec.digests : undefined;
  } catch {
    return undefined;
  }
}

/** Replaced atomically: a reader never sees half a record. A project with nothing left has none. */
export function writeApplied(ctx: NsCtx, project: string, digests: { [key: string]: string }): void {
  const file = fileOf(ctx, project);
  if (Object.keys(digests).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(APPLIED_DIR, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify({ ...hostMark(ctx), project, digests }) + '\n');
  renameSync(`${file}.tmp`, file);
}
