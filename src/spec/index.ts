// The spec layer's public API: files -> validated Topology -> DesiredState.
// Stages stop at the first stage with errors (a schema error makes rule messages
// meaningless), but every problem within a stage is reported at once.
import type { Diagnostic } from '../errors.js';
import { poolDiagnostics } from './allocate.js';
import { checkedFromJson, checkedToJson } from './checked.js';
import { loadFiles } from './load.js';
import { mergeFiles, type ParsedFile } from './merge.js';
import { normalize } from './normalize.js';
import { parseYaml, type ParseMemo, type ValueStore } from './parse.js';
import { checkRules } from './rules.js';
import { checkSchema } from './schema.js';
import { sortDiagnostics } from './source.js';
import type { Topology } from './types.js';

export { compile, namespacesOf, nsRefOf, forHost } from './compile.js';
export type { Topology } from './types.js';
export type { CompileMemo } from './compile.js';
export type { ParseMemo } from './parse.js';
export type { Network, Container, Attachment, Peer, HostEntry, Port } from './types.js';

const hasError = (ds: Diagnostic[]) => ds.some((d) => d.severity === 'error');
/** push(...list) passes every element as an argument: 150 000 diagnostics overflow the stack. */
const append = <T>(to: T[], list: readonly T[]) => { for (const x of list) to.push(x); };

/** Check already-read texts (the pure part of loadTopology; tests and watch mode use it). `memo`: kept by
 *  a caller that reads the same files again, so that only the entries whose text changed are parsed. */
export function checkTexts(texts: { file: string; text: string }[], memo?: ParseMemo, store?: ValueStore): { topology?: Topology; diagnostics: Diagnostic[] } {
  const files = texts.map((t) => t.file);
  const done = (ds: Diagnostic[], topology?: Topology) =>
    ({ topology: hasError(ds) ? undefined : topology, diagnostics: sortDiagnostics(ds, files) });
  const diagnostics: Diagnostic[] = [];
  const parsed: ParsedFile[] = [];
  for (const { file, text } of texts) {
    const p = parseYaml(file, text, memo, store);
    append(diagnostics, p.diagnostics);
    if (!hasError(p.diagnostics)) {
      append(diagnostics, checkSchema(file, p.value, p.sources));
      parsed.push(p);
    }
  }
  if (memo) for (const f of memo.keys()) if (!files.includes(f)) memo.delete(f); // files no longer read
  if (hasError(diagnostics)) return done(diagnostics);
  const merged = mergeFiles(parsed);
  append(diagnostics, merged.diagnostics);
  if (hasError(diagnostics)) return done(diagnostics);
  const { topology, diagnostics: normDiags } = normalize(merged.raw, merged.sources, files);
  append(diagnostics, normDiags);
  append(diagnostics, checkRules(topology));
  if (hasError(diagnostics)) return done(diagnostics);
  // Pool exhaustion does not depend on what the kernel holds, so it is an input error too.
  append(diagnostics, poolDiagnostics(topology));
  return done(diagnostics, topology);
}

export async function loadTopology(paths: string[]): Promise<{ topology?: Topology; diagnostics: Diagnostic[] }> {
  return checkRead(await loadFiles(paths));
}

/** The second half of loadTopology, for callers that look at the texts first (`ctnet watch` skips
 *  checking texts it has checked before). */
export function checkRead(
  read: { files: { file: string; text: string }[]; diagnostics: Diagnostic[] }, memo?: ParseMemo, store?: ValueStore, checked?: CheckedStore,
): { topology?: Topology; diagnostics: Diagnostic[] } {
  if (hasError(read.diagnostics)) return { diagnostics: read.diagnostics };
  const kept = checked && keptCheck(checked, read.files);
  if (kept) return kept;
  const r = checkTexts(read.files, memo, store);
  const topology = r.topology;
  if (checked && topology) checked.put(read.files, () => checkedToJson(topology, r.diagnostics));
  return { topology: r.topology, diagnostics: r.diagnostics };
}

/** Checked topologies kept between runs (spec/checked.ts's JSON) by the names and texts of their files; the CLI
 *  keeps them on disk with its build in the key (src/cli/value-cache.ts). `get` answers only for exactly these
 *  files, in this order; `put` is offered a topology that checked without errors, as a function that makes its JSON
 *  (undefined: none exact), called only by a store that keeps these files (a few ms at 1000 containers). */
export interface CheckedStore {
  get(files: readonly { file: string; text: string }[]): string | undefined;
  put(files: readonly { file: string; text: string }[], json: () => string | undefined): void;
}

/** What `checked` kept for these files, or undefined (nothing, or nothing readable: the files are checked). */
function keptCheck(checked: CheckedStore, files: { file: string; text: string }[]) {
  try {
    const json = checked.get(files);
    return json === undefined ? undefined : checkedFromJson(json, files);
  } catch {
    return undefined;
  }
}

export { loadFiles } from './load.js';
export { selfHost } from './self-host.js';
