// What ctnet made of large topology files, kept between runs as JSON, so that a host that plans or applies the
// same files again and again does not redo it:
// - the value of each file by the digest of its text (with the js-yaml version and this format's number): js-yaml
//   reads a file of 1000 containers (~100 KB) in ~15-30 ms, JSON.parse the same value in ~2 (bench/RESULTS.md
//   §5o); what is read back is exactly what js-yaml gave for that text;
// - the checked topology of a set of files (spec/checked.ts) by their names and texts and ctnet's build: the
//   checks after parsing (~45 ms of CPU in a profile at 1000 containers with ports) are a pure function of those.
// An edited file is simply another entry. Kept beside the compiled code (code-cache.ts: the same directory, the
// same trust rules), readable by their writer only (a topology is the operator's to show); only the newest KEEP
// entries of each kind stay. Any failure just means the files are parsed and checked.
import jsYaml from 'js-yaml/package.json' with { type: 'json' };
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digest } from '../builtin.js';
import { exactJson } from '../spec/checked.js';
import type { CheckedStore } from '../spec/index.js';
import type { ValueStore } from '../spec/parse.js';
import { CHECKED_INFIX, readTrusted, VALUES_PREFIX as PREFIX, writeWhole } from './code-cache.js';

/** Smaller texts are parsed: a few ms at most, not worth a file. */
export const MIN_TEXT = 16 * 1024;
/** Entries kept (a few files, a few versions of each). */
export const KEEP = 8;
const FORMAT = 1;

/** A store in `dir` (a trusted directory, as code-cache.ts's trustedDir gives), or undefined for none. */
export function valueCache(dir: string | undefined): ValueStore | undefined {
  if (dir === undefined) return undefined;
  const files = entries(dir, PREFIX, (text: string) => `${FORMAT}\0${jsYaml.version}\0${text}`);
  return {
    get(text) {
      if (text.length < MIN_TEXT) return undefined;
      const json = files.read(text);
      try {
        return json === undefined ? undefined : (JSON.parse(json) as unknown);
      } catch {
        return undefined;
      }
    },
    put(text, value) {
      if (text.length < MIN_TEXT) return;
      const json = exactJson(value);
      if (json !== undefined) files.write(text, json);
    },
  };
}

/**
 * Checked topologies (spec/checked.ts) in `dir` by the names and texts of their files, ctnet's `build` (the hash of
 * its cli.js: another build may check differently) and the runtime; undefined without a directory or a build (a
 * run outside the bundle). Each is a file `<build>-checked-<digest>`: a new build's first saved code removes the
 * old build's ones with its other files (code-cache.ts), and only the newest KEEP of this build stay. For files
 * of MIN_TEXT or more in all, like the values above.
 */
export function checkedCache(dir: string | undefined, build: string | undefined): CheckedStore | undefined {
  if (dir === undefined || build === undefined) return undefined;
  type Files = readonly { file: string; text: string }[];
  // Lengths first: no name or text can be taken for the end of another.
  const files = entries(dir, `${build}-${CHECKED_INFIX}`, (fs: Files) =>
    `${FORMAT}\0${process.version}\0${fs.map(({ file, text }) => `${file.length}:${file}${text.length}:${text}`).join('')}`);
  const big = (fs: Files) => fs.reduce((n, f) => n + f.text.length, 0) >= MIN_TEXT;
  return {
    get: (fs) => (big(fs) ? files.read(fs) : undefined),
    put(fs, make) {
      const json = big(fs) ? make() : undefined;
      if (json !== undefined) files.write(fs, json);
    },
  };
}

/** The files of one kind in `dir`: each named `prefix` + the SHA-256 of its key's text, written whole and readable
 *  by its writer only (a topology is the operator's to show), the newest KEEP of the kind kept. The last key's
 *  file name is remembered: a miss (read) is followed by a write of the same key, hashed once. */
function entries<K>(dir: string, prefix: string, keyText: (key: K) => string) {
  let last: { key: K; file: string } | undefined;
  const fileOf = (key: K) => {
    if (last?.key !== key) last = { key, file: join(dir, prefix + digest('sha256', keyText(key), 'hex')) };
    return last.file;
  };
  return {
    read: (key: K): string | undefined => readTrusted(fileOf(key))?.toString('utf8'),
    write(key: K, json: string): void {
      if (!writeWhole(fileOf(key), json, 0o600)) return;
      try { prune(dir, prefix); } catch { /* the older entries stay until the next write */ }
    },
  };
}

/** Keep the newest KEEP entries whose names start with `prefix`. */
function prune(dir: string, prefix: string): void {
  const entries = readdirSync(dir).filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp'));
  if (entries.length <= KEEP) return;
  const byAge = entries.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of byAge.slice(KEEP)) rmSync(join(dir, n), { force: true });
}
