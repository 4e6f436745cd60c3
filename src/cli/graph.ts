// graph: draw a topology (from -f, or what one project owns on this host) as Graphviz dot or Mermaid.
// The kernel's picture goes through show's topology and the spec, so it is drawn exactly as a file is.
import { stringify } from 'yaml';
import { SpecError, UsageError } from '../errors.js';
import { graphModel } from '../graph/model.js';
import { toDot, toMermaid } from '../graph/render.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { checkTexts, loadTopology, type Topology } from '../spec/index.js';
import type { Output } from './output.js';
import { shownTopology } from './show.js';

export async function graphCommand(files: string[], opts: { format?: string; project?: string }, out: Output): Promise<number> {
  const format = opts.format ?? 'dot';
  if (format !== 'dot' && format !== 'mermaid') throw new UsageError(`--format ${format}: unknown format; use dot or mermaid`);
  if (files.length && opts.project !== undefined) throw new UsageError('-p draws a project from the host; -f draws files: give one of them');
  let topology: Topology | undefined;
  if (files.length) {
    const r = await loadTopology(files);
    if (!r.topology) throw new SpecError(r.diagnostics);
    topology = r.topology;
  } else {
    const shown = await shownTopology(opts.project ?? DEFAULT_PROJECT);
    const r = checkTexts([{ file: '(host)', text: stringify(shown) }]);
    if (!r.topology) throw new SpecError(r.diagnostics);
    topology = r.topology;
  }
  const model = graphModel(topology);
  out.log((format === 'dot' ? toDot(model) : toMermaid(model)).trimEnd());
  return 0;
}
