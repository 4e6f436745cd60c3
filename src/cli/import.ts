// `ctnet import compose FILE`: a Docker Compose file's networking as a ctnet topology, printed (or
// written with -o). What does not translate is reported per item as a located warning on stderr. The
// result is checked as any topology is before it is printed: an import never yields a file `validate`
// would refuse.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Node } from 'yaml';
import { formatDiagnostic, SpecError, UsageError, type Diagnostic } from '../errors.js';
import { translateCompose } from '../compose/translate.js';
import { checkTexts } from '../spec/index.js';
import type { Output } from './output.js';

/** Compose's merge tags (!reset, !override) on a scalar, a list or a map: read as the plain value. */
const COMPOSE_TAGS = ['!reset', '!override'].flatMap((tag) =>
  [undefined, 'seq', 'map'].map((collection) => ({ tag, ...(collection ? { collection } : {}), resolve: (v: unknown) => v }))) as never[];

export interface ImportOptions { projectName?: string; output?: string }

/** Compose's own project name: `name:`, else the directory's name, lowercased to [a-z0-9_-]. */
function projectName(doc: Record<string, unknown>, file: string, given?: string): string {
  const raw = given ?? (typeof doc.name === 'string' ? doc.name : basename(dirname(resolve(file))));
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

export async function importComposeCommand(file: string, opts: ImportOptions, out: Output): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = new LineCounter();
  // merge: `<<` keys, which Compose files use with x-* extension blocks. Compose's own tags (!reset,
  // !override) read as their plain values.
  const doc = parseDocument(text, {
    lineCounter: lines, merge: true, prettyErrors: false,
    customTags: COMPOSE_TAGS,
  });
  const at = (offset: number | undefined) => (offset === undefined ? {} : (({ line, col }) => ({ line, col }))(lines.linePos(offset)));
  if (doc.errors.length) {
    throw new SpecError(doc.errors.map((e) => ({ severity: 'error', file, ...at(e.pos[0]), path: '', message: e.message.split('\n')[0], hint: 'the Compose file must be valid YAML' })));
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  if (!value || typeof value !== 'object' || typeof value.services !== 'object') {
    throw new SpecError([{ severity: 'error', file, path: 'services', message: 'no services: this is not a Compose file', hint: 'give the docker-compose.yml / compose.yaml of a project' }]);
  }
  const project = projectName(value, file, opts.projectName);
  const r = translateCompose(value, project);
  const warnings: Diagnostic[] = r.notes.map((n) => ({ severity: 'warning', file, ...at(offsetOf(doc.contents, n.path)), path: n.path.join('.'), message: n.message, ...(n.hint ? { hint: n.hint } : {}) }));
  for (const w of warnings) out.err(formatDiagnostic(w));
  const names = Object.entries(r.containerNames).map(([s, c]) => `${s}=${c}`).join(', ');
  const yaml = [
    `# ctnet topology imported from ${basename(file)} (Compose project "${project}") by ctnet import compose.`,
    '# Start the services without Docker networking (network_mode: none, no ports or networks of their own);',
    `# ctnet attaches them by their Docker names (${names}).`,
    asYaml(r.topology),
  ].join('\n');
  // Never print what ctnet itself would refuse.
  const check = checkTexts([{ file: opts.output ?? '(imported)', text: yaml }]);
  if (!check.topology) throw new SpecError(check.diagnostics);
  if (opts.output) {
    writeFileSync(opts.output, yaml);
    out.err(`Wrote ${opts.output}: ${Object.keys(r.topology.networks as object).length} network(s), ${Object.keys(r.containerNames).length} container(s)${warnings.length ? `, ${warnings.length} item(s) not translated (above)` : ''}.`);
  } else {
    out.log(yaml.trimEnd());
  }
  return 0;
}

/** YAML with every string holding a colon quoted ("8080:80", "api:backend"), as Compose's documentation
 *  writes them: unquoted, a YAML 1.1 reader takes 2368:2368 for a base-60 number. */
function asYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, { Scalar: (_k, node) => { if (isScalar(node) && typeof node.value === 'string' && node.value.includes(':')) node.type = Scalar.QUOTE_DOUBLE; } });
  return doc.toString({ lineWidth: 0 });
}

/** Where a path of the Compose file starts (its deepest node that exists), for the warning's position. */
function offsetOf(node: unknown, path: (string | number)[]): number | undefined {
  let cur = node as Node | null | undefined;
  let offset: number | undefined; // a path not written in the file (the implicit default network) has no position
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node | undefined)?.range?.[0] ?? offset;
      cur = pair.value as Node | null;
    } else if (isSeq(cur) && typeof seg === 'number') {
      cur = cur.items[seg] as Node | null;
      offset = cur?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}
