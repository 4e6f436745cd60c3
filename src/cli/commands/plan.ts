import { formatDiagnostic } from '../../errors.js';
import { renderJson, renderText } from '../../plan/render.js';
import { planFromFiles } from '../context.js';
import type { Output } from '../output.js';

export interface PlanOptions { json?: boolean; detailedExitcode?: boolean; host?: string }

export async function planCommand(files: string[], opts: PlanOptions, out: Output): Promise<number> {
  const ctx = await planFromFiles(files, { host: opts.host });
  try {
    for (const w of ctx.warnings) out.err(formatDiagnostic(w));
    out.log(opts.json ? JSON.stringify(renderJson(ctx.plan), null, 2) : renderText(ctx.plan));
    if (ctx.plan.conflicts.length) return 1;
    return opts.detailedExitcode && ctx.plan.steps.length > 0 ? 2 : 0;
  } finally {
    await ctx.kernel.close();
  }
}
