// The values of large topology files, kept between runs as JSON by the digest of their text. js-yaml reads a file
// of 1000 containers (~100 KB) in ~15-30 ms, JSON.parse the same value in ~2 (bench/RESULTS.md §5o), and a host
// plans or applies the same files again and again. The key is the text itself (its SHA-256, with the js-yaml
// version and this format's number), so an edited file is simply another entry; what is read back is exactly
// what js-yaml gave for that text, and everything after parsing (schema, rules) runs as always. Kept beside the
// compiled code (code-cache.ts: the same directory, the same trust rules); only the newest KEEP entries stay.
// Any failure just means the file is parsed.
import jsYaml from 'js-yaml/package.json' with { type: 'json' };
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digest } from '../builtin.js';
import type { ValueStore } from '../spec/parse.js';
import { readTrusted, VALUES_PREFIX as PREFIX, writeWhole } from './code-cache.js';

/** Smaller texts are parsed: a few ms at most, not worth a file. */
export const MIN_TEXT = 16 * 1024;
/** Entries kept (a few files, a few versions of each). */
export const KEEP = 8;
const FORMAT = 1;

/** A store in `dir` (a trusted directory, as code-cache.ts's trustedDir gives), or undefined for none. */
export function valueCache(dir: string | undefined): ValueStore | undefined {
  if (dir === undefined) return undefined;
  // The file of the last text asked about: a miss (get) is followed by a put of the same text, hashed once.
  let last: { text: string; file: string } | undefined;
  const fileOf = (text: string) => {
    if (last?.text !== text) last = { text, file: join(dir, PREFIX + digest('sha256', `${FORMAT}\0${jsYaml.version}\0${text}`, 'hex')) };
    return last.file;
  };
  return {
    get(text) {
      if (text.length < MIN_TEXT) return undefined;
      const json = readTrusted(fileOf(text));
      try {
        return json === undefined ? undefined : (JSON.parse(json.toString('utf8')) as unknown);
      } catch {
        return undefined;
      }
    },
    put(text, value) {
      if (text.length < MIN_TEXT) return;
      const json = exactJson(value);
      // a topology is the operator's to show: readable by its writer only
      if (json !== undefined && writeWhole(fileOf(text), json, 0o600)) {
        try { prune(dir); } catch { /* the older entries stay until the next put */ }
      }
    },
  };
}

/** JSON that parses back to exactly `value`, or undefined: JSON has no infinities, NaN or -0 (YAML's .inf,
 *  .nan and -0.0), which would come back as null or 0. */
export function exactJson(value: unknown): string | undefined {
  let exact = true;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) exact = false;
    return v;
  });
  return exact ? json : undefined;
}

/** Keep the newest KEEP entries. */
function prune(dir: string): void {
  const entries = readdirSync(dir).filter((n) => n.startsWith(PREFIX) && !n.endsWith('.tmp'));
  if (entries.length <= KEEP) return;
  const byAge = entries.map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of byAge.slice(KEEP)) rmSync(join(dir, n), { force: true });
}
