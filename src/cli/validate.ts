import { formatDiagnostic, type Diagnostic } from '../errors.js';
import { ctnetVersion } from '../package.js';
import { loadTopology } from '../spec/index.js';
import type { Output } from './output.js';
import { diagnosticJson } from './json-doc.js';

/** The JSON document of `validate --json` (and of `plan --json` on invalid input). */
export function diagnosticsJson(valid: boolean, diagnostics: Diagnostic[]): string {
  return JSON.stringify({ formatVersion: 1, ctnetVersion: ctnetVersion(), valid, diagnostics: diagnostics.map(diagnosticJson) }, null, 2);
}

export async function validateCommand(files: string[], out: Output, opts: { json?: boolean } = {}): Promise<number> {
  const { topology, diagnostics } = await loadTopology(files);
  if (opts.json) {
    out.log(diagnosticsJson(topology !== undefined, diagnostics));
    return topology ? 0 : 1;
  }
  for (const d of diagnostics) out.err(formatDiagnostic(d));
  if (!topology) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    out.err(`${n} error(s); nothing was changed.`);
    return 1;
  }
  const nets = topology.networks.size;
  const ctrs = topology.containers.size;
  out.log(`valid: ${files.map((f) => (f === '-' ? '(stdin)' : f)).join(', ')} (${nets} network(s), ${ctrs} container(s))`);
  return 0;
}
