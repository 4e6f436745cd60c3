import { formatDiagnostic } from '../errors.js';
import { renderText } from '../plan/render.js';
import { lockTimeoutMs, reconcileFiles } from './context.js';
import type { Output } from './output.js';

export interface ApplyOptions { host?: string; quiet?: boolean; lockTimeout?: string }

export async function applyCommand(files: string[], opts: ApplyOptions, out: Output): Promise<number> {
  const r = await reconcileFiles(files, {
    host: opts.host,
    lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
    onPlan: (plan, warnings) => {
      for (const w of warnings) out.err(formatDiagnostic(w));
      if (plan.steps.length === 0 && plan.conflicts.length === 0) out.log('No changes. The kernel matches the topology.');
      else if (!opts.quiet) out.log(renderText(plan));
    },
  });
  if (r.error) throw r.error;
  if (r.done.length) out.log(`Applied ${r.done.length} step(s) in ${r.ms.toFixed(0)} ms; verified: the kernel matches the topology.`);
  return 0;
}
