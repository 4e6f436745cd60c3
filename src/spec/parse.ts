// Pure: YAML text -> plain value + the position of every value node, so that
// any later diagnostic can point at file:line:col. YAML syntax errors become
// diagnostics with their own positions.
// Two parsers: js-yaml reads the value ~10x faster than `yaml` builds a document
// with positions (12 vs 160 ms for 1000 containers, on every plan, apply and
// watch reload), but only `yaml` says where each node is. So the value comes
// from js-yaml and the positions from `yaml`, computed only when a diagnostic
// asks for one (LazyIndex). Anything js-yaml rejects (syntax, duplicate keys,
// unknown tags, several documents, an empty file) goes the slow way, which
// reports it with its position. Both read YAML 1.2's core schema.
import { CORE_SCHEMA, load } from 'js-yaml';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';
import { dotPath, LazyIndex, pathKey } from './source.js';
import type { SourceIndex } from './types.js';
import { loadChunked, type ChunkCache } from './yaml-chunks.js';

/** What a reader that reads the same files again keeps between reads (`ctnet watch`): per file, the
 *  values of its entries by their text (yaml-chunks.ts). */
export type ParseMemo = Map<string, ChunkCache>;

export interface Parsed { file: string; value: unknown; sources: SourceIndex; diagnostics: Diagnostic[] }

/** Values read before, by the text they were read from (the CLI keeps them on disk: src/cli/value-cache.ts).
 *  `get` answers only for exactly that text; `put` is offered a value js-yaml read from it. */
export interface ValueStore { get(text: string): unknown; put(text: string, value: unknown): void }

/** Values a file may expand to. js-yaml shares an aliased node instead of copying it, but everything
 *  after parsing (schema, rules) walks the expanded tree: nested aliases ("billion laughs") would make
 *  a few lines of YAML take forever. A topology of 10 000 containers is ~200 000 values. */
export const MAX_VALUES = 2_000_000;

/** `yaml` is loaded the first time a position is wanted (a diagnostic, a file js-yaml rejects): every valid
 *  `plan`, `apply` and `destroy` would load it at start for nothing. In the bundle this line is a `require`
 *  of dist/bundle/yaml.cjs, a file of its own read only then (scripts/bundle.mjs). */
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

export function parseYaml(file: string, text: string, memo?: ParseMemo, store?: ValueStore): Parsed {
  let value: unknown = store?.get(text);
  if (value !== undefined) return { file, value, sources: lazySources(file, text), diagnostics: [] }; // as below, once
  if (memo) {
    const next: ChunkCache = new Map();
    value = loadChunked(text, memo.get(file) ?? new Map(), next);
    if (value !== undefined) memo.set(file, next);
  }
  const chunked = value !== undefined;
  if (value === undefined) {
    try {
      value = load(text, { schema: CORE_SCHEMA, filename: file });
    } catch {
      return parseWithPositions(file, text);
    }
  }
  if (value === undefined) return parseWithPositions(file, text); // empty: say so the usual way
  const sources = lazySources(file, text);
  // Without an alias every value takes a character of the text at least: read in entries, the text had none
  // (yaml-chunks.ts); a text without a `*` has none either (an alias is `*name`). Counting walks every value of
  // the file (~5 ms at 1000 containers).
  const countless = text.length < MAX_VALUES && (chunked || !text.includes('*'));
  if (!countless && tooManyValues(value)) {
    return { file, value: null, sources, diagnostics: [{
      severity: 'error', file, line: 1, col: 1, path: '',
      message: `the file expands to more than ${MAX_VALUES} values (nested YAML aliases?)`,
      hint: 'write the topology out without nesting aliases of aliases',
    }] };
  }
  // Stored only a value that had none of the checks above to fail (a text with an alias is counted each time).
  if (countless && !chunked) store?.put(text, value);
  return { file, value, sources, diagnostics: [] };
}

const lazySources = (file: string, text: string) =>
  new LazyIndex(() => parseWithPositions(file, text, { positionsOnly: true }).sources as Map<string, SourceRef>);

/** True when walking `value` (aliases expanded) visits more than MAX_VALUES values. Iterative: a deeply
 *  nested file must not overflow the stack here. */
function tooManyValues(value: unknown): boolean {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (++n > MAX_VALUES) return true;
    if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

/** The `yaml` parser: value, diagnostics and the position of every node (`positionsOnly`: the value was
 *  read already, only the positions are wanted, so aliases are not expanded again). */
export function parseWithPositions(file: string, text: string, opts: { positionsOnly?: boolean } = {}): Parsed {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: false })
  // Duplicate keys are checked in walk() below: yaml's own check is quadratic per map
  // (10 s for 16000 containers), ours is a Set.;
  const diagnostics: Diagnostic[] = [];
  for (const [severity, list] of [['error', doc.errors], ['warning', doc.warnings]] as const) {
    for (const e of list) {
      const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
      // The parser runs out of stack on absurd nesting: say what that means for the file.
      const deep = /Maximum call stack size exceeded/.test(e.message);
      diagnostics.push({
        severity, file, line: pos.line, col: pos.col, path: '',
        message: deep ? 'YAML: nested too deeply to read' : `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        hint: deep ? 'a topology needs only a few levels of nesting' : 'fix the YAML syntax (indentation, quoting, duplicate keys)',
      });
    }
  }
  const sources = new Map<string, SourceRef>();
  const at = (offset: number, segs: (string | number)[]) => {
    const { line, col } = lc.linePos(offset);
    sources.set(pathKey(segs), { file, line, col, path: dotPath(segs) });
  };
  // Scalars are located at their value; maps and lists at their key, which is the
  // line a reader looks for ("networks.web" -> the `web:` line, not its first field).
  const walk = (node: unknown, segs: (string | number)[], keyOffset: number) => {
    const range = (node as Yaml.Node | null)?.range;
    const isEmpty = !range || (isScalar(node) && node.value === null);
    at(isEmpty || isMap(node) || isSeq(node) ? keyOffset : range[0], segs);
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          const { line, col } = lc.linePos((pair.key as Yaml.Node | null)?.range?.[0] ?? keyOffset);
          diagnostics.push({ severity: 'error', file, line, col, path: dotPath([...segs, key]),
            message: `YAML: duplicate key "${key}"`, hint: 'each key may appear once per map; remove or merge the duplicate' });
        }
        seen.add(key);
        walk(pair.value, [...segs, key], (pair.key as Yaml.Node | null)?.range?.[0] ?? keyOffset);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...segs, i], (item as Yaml.Node | null)?.range?.[0] ?? keyOffset));
    }
  };
  walk(doc.contents, [], 0);
  let value: unknown = null;
  if (doc.errors.length === 0 && !opts.positionsOnly) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      // An alias without its anchor, or too many aliases: the document is readable, its value is not.
      diagnostics.push({ severity: 'error', file, line: 1, col: 1, path: '', message: `YAML: ${(e as Error).message}`,
        hint: 'define each anchor (&name) before its aliases (*name), and do not nest aliases of aliases' });
    }
  }
  return { file, value, sources, diagnostics };
}
