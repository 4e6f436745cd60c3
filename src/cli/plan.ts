import { formatDiagnostic, SpecError } from '../errors.js';
import { renderJson, renderText } from '../plan/render.js';
import { onHost, reconcileFiles } from './context.js';
import { destroyPlan } from './destroy.js';
import { writePlan } from './saved-plan.js';
import { diagnosticsJson } from './validate.js';
import { resolve } from 'node:path';
import type { Output } from './output.js';

export interface PlanOptions { json?: boolean; detailedExitcode?: boolean; host?: string; destroy?: boolean; out?: string }

export async function planCommand(files: string[], opts: PlanOptions, out: Output): Promise<number> {
  if (opts.destroy) return planDestroy(opts, out);
  let r;
  try {
    r = await reconcileFiles(files, {
      host: opts.host,
      dryRun: true,
      onPlan: (p, warnings) => {
        for (const w of warnings) out.err(formatDiagnostic(w));
        out.log(opts.json ? JSON.stringify(renderJson(p), null, 2) : renderText(p));
      },
    });
  } catch (err) {
    // `plan --json` always writes a JSON document: for invalid input, its located diagnostics.
    if (!(opts.json && err instanceof SpecError)) throw err;
    out.log(diagnosticsJson(false, err.diagnostics));
    return 1;
  }
  const { plan, desired, observed, host } = r;
  if (plan.conflicts.length) return 1; // no plan to save: apply would refuse it
  if (opts.out) {
    writePlan(opts.out, plan, desired, observed, files.map((f) => resolve(f)), host);
    out.err(`Saved to ${opts.out}: \`ctnet apply --plan ${opts.out}\` applies exactly these steps, if the host has not changed meanwhile.`);
  }
  return opts.detailedExitcode && plan.steps.length > 0 ? 2 : 0;
}

/** `plan --destroy`: what `destroy` would remove, changing nothing. */
async function planDestroy(opts: PlanOptions, out: Output): Promise<number> {
  return onHost(undefined, async (kernel) => {
    const p = await destroyPlan(kernel);
    out.log(opts.json ? JSON.stringify(renderJson(p), null, 2) : p.steps.length ? renderText(p) : 'Nothing to destroy: ctnet owns nothing on this host.');
    return opts.detailedExitcode && p.steps.length > 0 ? 2 : 0;
  });
}
