// Files ctnet manages a block in: a container's hosts file and resolv.conf. Each
// file is recorded under /run/ctnet/files BEFORE it is first written (like the
// namespace markers), with whether ctnet created it, so a removed container's
// block is found and removed later, and the file deleted only if it was ctnet's.
// Writes are atomic (temp file + rename), so a reader never sees half a file; a bind-mounted file (a
// container runtime's hosts file) is written in place instead, since it cannot be replaced.
// Synchronous fs on purpose: the files are small, and nothing here may run on the
// libuv threadpool while another call has the main thread in a container namespace.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HostsFileObj } from '../model/state.js';
import { attempt } from './errors.js';
import { mergeBlock, removeBlock } from '../model/hosts-block.js';
import { hostMark, markedHere, type HostMark } from './netns.js';
import { readJson, writeAtomic, writeJson } from './records.js';
import type { NsCtx } from './nsctx.js';
import type { RawHostsFile } from './port.js';

export const FILES_DIR = '/run/ctnet/files';
const recordOf = (path: string) => `${FILES_DIR}/${encodeURIComponent(path)}`;

interface Record extends HostMark { key: string; path: string; created: boolean; header?: string; dirCreated?: boolean; project?: string }

const readRecord = (path: string) => readJson<Record>(recordOf(path));

/** Atomically (temp file + rename) a file ctnet created. A file someone else made is written in place: it
 *  may be bind-mounted into a container (Docker's per-container hosts file and resolv.conf: HostsPath on the
 *  host is the source of the container's /etc/hosts mount, which a rename would leave pointing at the old
 *  file), and whoever made it keeps its inode, owner and mode. A mount point itself (/proc/PID/root/etc/hosts)
 *  cannot be replaced anyway: rename onto it is EBUSY. Docker writes these files in place too. */
function writeBlockFile(path: string, text: string, ours: boolean): void {
  if (!ours) {
    writeFileSync(path, text);
    return;
  }
  try {
    writeAtomic(path, text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
    writeFileSync(path, text);
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function writeHostsFile(ctx: NsCtx, obj: HostsFileObj): Promise<void> {
  await attempt(`write ctnet's block in "${obj.path}"`, () => {
    const text = readText(obj.path);
    let rec = readRecord(obj.path);
    if (!rec || !markedHere(rec, ctx)) {
      // Whether ctnet made the directory belongs to the directory: a second file there (a container's
      // hosts and its resolv.conf) inherits it, so whichever of them goes last removes the directory.
      const dirCreated = !existsSync(dirname(obj.path)) || siblingMadeDir(obj.path);
      rec = { ...hostMark(ctx), key: obj.key, path: obj.path, created: text === null, dirCreated };
      if (text === null && obj.header) rec.header = obj.header;
      if (obj.owner?.project) rec.project = obj.owner.project;
      writeJson(recordOf(obj.path), rec);
    }
    mkdirSync(dirname(obj.path), { recursive: true, mode: 0o755 });
    writeBlockFile(obj.path, mergeBlock(text ?? undefined, obj.block, text === null ? obj.header : undefined), text === null || rec.created);
  }, { EACCES: 'run ctnet as root', EROFS: 'the file system is read-only: set `hosts_file` to a writable path' });
}

/** The files ctnet manages next to each other in one directory (the defaults under /etc/netns/<netns>/). */
const SIBLINGS = ['hosts', 'resolv.conf'];
function siblingMadeDir(path: string): boolean {
  const dir = dirname(path);
  return SIBLINGS.some((n) => `${dir}/${n}` !== path && readRecord(`${dir}/${n}`)?.dirCreated === true);
}

export async function deleteHostsFile(ctx: NsCtx, obj: HostsFileObj): Promise<void> {
  await attempt(`remove ctnet's block from "${obj.path}"`, () => {
    const rec = readRecord(obj.path);
    const text = readText(obj.path);
    if (text !== null) {
      const rest = removeBlock(text, rec?.header);
      if (rest.empty && rec?.created) {
        rmSync(obj.path, { force: true });
        // Not empty yet (the sibling goes next, or someone put something there): left to the last one.
        if (rec.dirCreated) try { rmdirSync(dirname(obj.path)); } catch { /* not empty */ }
      } else {
        writeBlockFile(obj.path, rest.text, rec?.created === true);
      }
    }
    rmSync(recordOf(obj.path), { force: true });
  });
}

export async function listHostsFiles(ctx: NsCtx): Promise<RawHostsFile[]> {
  let names: string[];
  try {
    names = readdirSync(FILES_DIR).sort();
  } catch {
    return [];
  }
  const out: RawHostsFile[] = [];
  for (const name of names) {
    const rec = readRecord(decodeURIComponent(name));
    if (!rec || !markedHere(rec, ctx)) continue; // another ctnet host's file (or a torn record)
    const f: RawHostsFile = { key: rec.key, path: rec.path, created: rec.created, text: readText(rec.path) };
    if (rec.header !== undefined) f.header = rec.header;
    if (rec.project !== undefined) f.project = rec.project;
    out.push(f);
  }
  return out;
}
