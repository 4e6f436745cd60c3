// Source positions and diagnostic builders. Paths are arrays of segments because
// names may contain dots (`networks.a.b` is ambiguous as text); the dotted form is
// only for display.
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';
import type { SourceIndex } from './types.js';

export type Segments = readonly (string | number)[];

export const pathKey = (segs: Segments) => segs.join('\u0001');
export const dotPath = (segs: Segments) => segs.join('.');

/** An index built on first use: parsing YAML with positions costs ~10x a plain parse (160 ms for 1000
 *  containers), and only a diagnostic or a plan line pointing at the YAML ever reads one. */
export class LazyIndex implements SourceIndex {
  private map?: Map<string, SourceRef>;
  constructor(private readonly build: () => Map<string, SourceRef>) {}
  private get m(): Map<string, SourceRef> { return (this.map ??= this.build()); }
  get(key: string): SourceRef | undefined { return this.m.get(key); }
  has(key: string): boolean { return this.m.has(key); }
  [Symbol.iterator](): Iterator<[string, SourceRef]> { return this.m[Symbol.iterator](); }
}

/** locate() deferred until a field is read: keeps a LazyIndex lazy. `fallback` when nothing is found.
 *  (A class: compile makes one per object, and prototype getters cost nothing until read.) */
class LazyRef implements SourceRef {
  private hit?: SourceRef;
  constructor(private readonly index: SourceIndex, private readonly segs: Segments, private readonly fallback?: () => SourceRef) {}
  private get ref(): SourceRef {
    return (this.hit ??= locate(this.index, this.segs) ?? this.fallback?.() ?? { file: '', line: 0, col: 0, path: dotPath(this.segs) });
  }
  get file(): string { return this.ref.file; }
  get line(): number { return this.ref.line; }
  get col(): number { return this.ref.col; }
  get path(): string { return dotPath(this.segs); }
  toJSON(): SourceRef { const { file, line, col, path } = this; return { file, line, col, path }; }
}

export function lazyRef(index: SourceIndex, segs: Segments, fallback?: () => SourceRef): SourceRef {
  return new LazyRef(index, segs, fallback);
}

/** lazyRef() into a topology's files: where no position is found, `fallback`, else the start of the first file. */
export function refIn(index: SourceIndex, files: readonly string[], segs: Segments, fallback?: SourceRef): SourceRef {
  return lazyRef(index, segs, () => fallback ?? { file: files[0] ?? '', line: 1, col: 1, path: dotPath(segs) });
}

/** Position of the value at segs, else of its nearest ancestor that has one. */
export function locate(index: SourceIndex, segs: Segments): SourceRef | undefined {
  for (let n = segs.length; n >= 0; n--) {
    const hit = index.get(pathKey(segs.slice(0, n)));
    if (hit) return { ...hit, path: dotPath(segs) };
  }
  return undefined;
}

export function diagAt(
  index: SourceIndex,
  segs: Segments,
  message: string,
  hint?: string,
  severity: Diagnostic['severity'] = 'error',
): Diagnostic {
  const at = locate(index, segs);
  const d: Diagnostic = { severity, path: dotPath(segs), message };
  if (at) Object.assign(d, { file: at.file, line: at.line, col: at.col });
  if (hint) d.hint = hint;
  return d;
}

/** Sort diagnostics by file (in command-line order), line, column, so output is stable. */
export function sortDiagnostics(ds: Diagnostic[], files: string[]): Diagnostic[] {
  const rank = (f?: string) => (f === undefined ? -1 : files.indexOf(f));
  return [...ds].sort(
    (a, b) => rank(a.file) - rank(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)
      || a.path.localeCompare(b.path),
  );
}

/** Edit distance, for "did you mean" hints. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest candidate within a small edit distance, for hints. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Path of an attachment: by network name for map-form `networks`, by index for list form. */
export function attachmentPath(c: { name: string; networksAsMap: boolean }, a: { network: string; index: number }): Segments {
  return ['containers', c.name, 'networks', c.networksAsMap ? a.network : a.index];
}
