// Pure: read a topology file again after an edit by parsing only the entries whose
// text changed. `ctnet watch` reloads the whole file on every edit; at 1000
// containers js-yaml spends ~16 ms on it in code that has run once (cold), the
// largest single cost of a one-container edit. A topology in block style is a
// top-level map whose sections (networks, containers, ...) hold one entry per
// name; the text of each entry is a chunk, and a chunk whose text is unchanged
// has the same value (YAML has no state across entries but anchors, aliases,
// tags and directives, and a file with any of those is read whole).
// Anything this reader is not sure of returns undefined, and the caller reads
// the file whole: the result is always exactly what js-yaml makes of the text.
import { CORE_SCHEMA, load } from 'js-yaml';

/** Section and entry text -> that text and the value js-yaml made of it (one map with one key), for the last
 *  text read. The text is kept beside its value so that the next cache is keyed by the strings of the one
 *  before: the new text's pieces of unchanged entries are then garbage at once, not ~1000 strings more that
 *  the daemon's heap holds on to after every edit. */
export type ChunkCache = Map<string, { chunk: string; value: Record<string, unknown> }>;

/** Characters that may make one entry's value depend on text outside it, or that this reader does not
 *  split around: anchors, aliases, tags, directives and document markers, complex keys, tabs. */
const WHOLE_FILE_ONLY = /[&*!%\t]|^(?:---|\.\.\.)|^\s*\?/m;
/** A section header: a top-level key with nothing after it but a comment. */
const HEADER = /^([A-Za-z_][A-Za-z0-9_-]*):[ ]*(?:#.*)?$/;
const blankOrComment = (line: string) => /^\s*(?:#.*)?$/.test(line);
const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * The value of `text` with every entry of a block-style section taken from `cache` when its text is
 * unchanged; `next` receives the chunks of this text (the cache for the next read). Undefined when the
 * text is not of the shape this reader splits, or any piece does not read as expected.
 */
export function loadChunked(text: string, cache: ChunkCache, next: ChunkCache): Record<string, unknown> | undefined {
  if (WHOLE_FILE_ONLY.test(text)) return undefined;
  const lines = text.split('\n');
  const skeleton: string[] = [];
  const sections: { key: string; entries: string[] }[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const header = HEADER.exec(line);
    if (!header) { skeleton.push(line); i++; continue; }
    // The entries of this section: they start at the indentation of its first non-blank line.
    let j = i + 1;
    while (j < lines.length && blankOrComment(lines[j])) j++;
    const indent = j < lines.length ? indentOf(lines[j]) : 0;
    if (indent === 0) { skeleton.push(line); i++; continue; } // empty (null) section: read with the skeleton
    const entries: string[] = [];
    let start = j;
    let k = j + 1;
    for (; k < lines.length; k++) {
      const l = lines[k];
      if (blankOrComment(l)) continue;
      const n = indentOf(l);
      if (n === 0) break; // the next top-level key
      if (n < indent) return undefined; // not a map of entries at one indentation
      if (n === indent) { entries.push(piece(lines, start, k)); start = k; }
    }
    // Blank and comment lines up to the next top-level key stay with the last entry: they may be the
    // content of its block scalar (`|`, `|+`).
    entries.push(piece(lines, start, k));
    sections.push({ key: header[1], entries });
    skeleton.push(line);
    i = k;
  }
  if (sections.length === 0) return undefined;
  let top: unknown;
  try {
    top = load(skeleton.join('\n'), { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (!isMap(top)) return undefined;
  for (const { key, entries } of sections) {
    if (top[key] !== null) return undefined; // the skeleton must have read the header as an empty key
    const map: Record<string, unknown> = {};
    for (const entry of entries) {
      // By section too: the same text in two sections must not be one shared value.
      const chunk = `${key}\n${entry}`;
      let hit = cache.get(chunk) ?? next.get(chunk);
      if (!hit) {
        try {
          const v = load(entry, { schema: CORE_SCHEMA });
          if (!isMap(v)) return undefined;
          hit = { chunk, value: v };
        } catch {
          return undefined;
        }
      }
      const one = hit.value;
      const names = Object.keys(one);
      // One entry per chunk; a duplicate name is js-yaml's error to report (with the whole file).
      if (names.length !== 1 || names[0] === '__proto__' || Object.hasOwn(map, names[0])) return undefined;
      map[names[0]] = one[names[0]];
      next.set(hit.chunk, hit);
    }
    top[key] = map;
  }
  return top;
}

/** Lines [from, to) as they are in the text: each with its line break (the last line of the text has
 *  one only if the text has; a block scalar's final line break depends on it). */
const piece = (lines: string[], from: number, to: number) => lines.slice(from, to).join('\n') + (to < lines.length ? '\n' : '');

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
