// Pure: merge several parsed files map by map (TOPOLOGY.md "Files"). A name defined
// in two files is an error naming both, because silently picking one would make the
// result depend on file order. Positions follow the file that defined each entry.
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';
import { diagAt, LazyIndex, pathKey } from './source.js';
import type { RawTopology, SourceIndex } from './types.js';

export interface ParsedFile { file: string; value: unknown; sources: SourceIndex }

const SECTIONS = ['networks', 'containers', 'peers', 'hosts'] as const;
const NOUN: Record<(typeof SECTIONS)[number], string> = {
  networks: 'network', containers: 'container', peers: 'peer', hosts: 'host',
};

const SCALARS = [
  { field: 'version', noun: 'version', other: 'version ', hint: 'use the same version in every file' },
  { field: 'name', noun: 'project name', other: '', hint: 'files applied together are one project: give them the same `name`, or apply them separately' },
  { field: 'routing', noun: 'routing', other: '', hint: 'give `routing` in one file only, or the same in every file' },
  { field: 'firewall', noun: 'firewall', other: '', hint: 'give `firewall` in one file only, or the same in every file' },
] as const;
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

export function mergeFiles(parsed: ParsedFile[]): { raw: RawTopology; sources: SourceIndex; diagnostics: Diagnostic[] } {
  const raw: RawTopology = {};
  const claims: { pf: ParsedFile; mine: Set<string> }[] = [];
  const claimedSections = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const firstFile = new Map<string, ParsedFile>(); // scalar field -> the first file that gave it
  const owner = new Map<string, string>(); // pathKey([section, name]) -> file

  for (const pf of parsed) {
    const v = pf.value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') continue;
    // Which top-level entries this file contributes; its positions are copied for those only.
    const mine = new Set<string>();
    // Scalars that every file giving them must give alike. One project per -f set: two names would make
    // one apply delete what the other file's project owns.
    for (const f of SCALARS) {
      if (v[f.field] === undefined) continue;
      const first = firstFile.get(f.field);
      if (first === undefined) {
        firstFile.set(f.field, pf);
        (raw as Record<string, unknown>)[f.field] = v[f.field];
        mine.add(pathKey([f.field]));
      } else if (!same(v[f.field], raw[f.field])) {
        diagnostics.push(diagAt(pf.sources, [f.field], `${f.noun} ${JSON.stringify(v[f.field])} differs from ${f.other}${JSON.stringify(raw[f.field])} in ${first.file}`, f.hint));
      }
    }
    for (const section of SECTIONS) {
      const entries = v[section];
      if (!entries || typeof entries !== 'object') continue;
      const target = (raw[section] ??= {});
      // An entry at a time without a [name, body] pair each: an edit of `ctnet watch` merges 1000 containers.
      for (const name of Object.keys(entries)) {
        const body = (entries as Record<string, unknown>)[name];
        const k = pathKey([section, name]);
        const first = owner.get(k);
        if (first !== undefined) {
          diagnostics.push(diagAt(pf.sources, [section, name],
            `${NOUN[section]} "${name}" is defined in both ${first} and ${pf.file}`,
            `keep one definition, or rename one of them`));
          continue;
        }
        owner.set(k, pf.file);
        target[name] = body;
        mine.add(k);
      }
      if (!claimedSections.has(section)) { claimedSections.add(section); mine.add(pathKey([section])); }
    }
    claims.push({ pf, mine });
  }
  // Positions are copied only when first asked for (a diagnostic): each file's index is lazy too.
  const sources = new LazyIndex(() => {
    const m = new Map<string, SourceRef>();
    for (const { pf, mine } of claims) {
      for (const [key, ref] of pf.sources) {
        const parts = key.split('\u0001');
        const top = parts.length >= 2 ? pathKey(parts.slice(0, 2)) : key;
        // A top-level map given whole by one file (`routing`) brings all its positions along.
        if (mine.has(top) || (parts.length === 1 && mine.has(key)) || ((parts[0] === 'routing' || parts[0] === 'firewall') && mine.has(pathKey([parts[0]])))) m.set(key, ref);
      }
      const root = pf.sources.get('');
      if (!m.has('') && root) m.set('', root);
    }
    return m;
  });
  if (raw.version === undefined && parsed.length > 0) {
    const first = parsed[0];
    diagnostics.push({
      severity: 'error', file: first.file, line: 1, col: 1, path: 'version',
      message: 'missing required field "version"', hint: 'add `version: 1` at the top of the file',
    });
  }
  return { raw, sources, diagnostics };
}
