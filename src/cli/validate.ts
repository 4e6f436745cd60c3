import { formatDiagnostic } from '../errors.js';
import { loadTopology } from '../spec/index.js';
import type { Output } from './output.js';

export async function validateCommand(files: string[], out: Output): Promise<number> {
  const { topology, diagnostics } = await loadTopology(files);
  for (const d of diagnostics) out.err(formatDiagnostic(d));
  if (!topology) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    out.err(`${n} error(s); nothing was changed.`);
    return 1;
  }
  const nets = topology.networks.size;
  const ctrs = topology.containers.size;
  out.log(`valid: ${files.join(', ')} (${nets} network(s), ${ctrs} container(s))`);
  return 0;
}
