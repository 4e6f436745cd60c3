import { formatDiagnostic } from '../errors.js';
import { renderJson, renderText } from '../plan/render.js';
import { reconcileFiles } from './context.js';
import type { Output } from './output.js';

export interface PlanOptions { json?: boolean; detailedExitcode?: boolean; host?: string }

export async function planCommand(files: string[], opts: PlanOptions, out: Output): Promise<number> {
  const { plan } = await reconcileFiles(files, {
    host: opts.host,
    dryRun: true,
    onPlan: (p, warnings) => {
      for (const w of warnings) out.err(formatDiagnostic(w));
      out.log(opts.json ? JSON.stringify(renderJson(p), null, 2) : renderText(p));
    },
  });
  if (plan.conflicts.length) return 1;
  return opts.detailedExitcode && plan.steps.length > 0 ? 2 : 0;
}
