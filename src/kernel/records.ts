// ctnet's own small files: records under /run/ctnet (file records, route records, what was applied) and
// the files it writes a block in. Written atomically (temp file + rename: a reader, or a crash, never
// sees half a file); read as JSON where a torn or missing record simply is no record.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostTag } from './netns.js';
import type { NsCtx } from './nsctx.js';

export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.ctnet-${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A record as JSON, or undefined when it is missing or torn. */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes a record (its directory made first), or removes it when `value` is undefined. */
export function writeJson(path: string, value: unknown): void {
  if (value === undefined) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, JSON.stringify(value) + '\n');
}

/** The record of one project on this host namespace in `dir` (several sandbox hosts share /run). */
export const projectRecord = (dir: string, ctx: NsCtx, project: string) => `${dir}/${project}@${hostTag(ctx)}`;
