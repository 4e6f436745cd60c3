import { applyPlan } from '../../apply/index.js';
import { formatDiagnostic } from '../../errors.js';
import { renderText } from '../../plan/render.js';
import { planFromFiles } from '../context.js';
import type { Output } from '../output.js';
import { withFaultInjection } from '../fault.js';

export interface ApplyOptions { host?: string; quiet?: boolean }

export async function applyCommand(files: string[], opts: ApplyOptions, out: Output): Promise<number> {
  const ctx = await planFromFiles(files, { host: opts.host });
  try {
    for (const w of ctx.warnings) out.err(formatDiagnostic(w));
    if (ctx.plan.steps.length === 0 && ctx.plan.conflicts.length === 0) {
      out.log('No changes. The kernel matches the topology.');
      return 0;
    }
    if (!opts.quiet) out.log(renderText(ctx.plan));
    const kernel = withFaultInjection(ctx.kernel);
    const res = await applyPlan(kernel, ctx.desired, ctx.observed, ctx.plan);
    out.log(`Applied ${res.done.length} step(s) in ${res.ms.toFixed(0)} ms; verified: the kernel matches the topology.`);
    return 0;
  } finally {
    await ctx.kernel.close();
  }
}
