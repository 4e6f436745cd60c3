import { formatDiagnostic, SpecError, UsageError } from '../errors.js';
import { renderJson, renderText } from '../plan/render.js';
import { reconcileFiles } from './context.js';
import { onHost } from './host.js';
import { destroyPlan, nothingToDestroy, projectsOf } from './destroy.js';
import { writePlan } from './saved-plan.js';
import { envelope, planDoc } from './json-doc.js';
import { diagnosticsJson } from './validate.js';
import { resolve } from 'node:path';
import type { Output } from './output.js';

export interface PlanOptions { json?: boolean; detailedExitcode?: boolean; host?: string; destroy?: boolean; out?: string; project?: string; all?: boolean }

export async function planCommand(files: string[], opts: PlanOptions, out: Output): Promise<number> {
  if (opts.destroy) return planDestroy(files, opts, out);
  if (opts.project !== undefined || opts.all) throw new UsageError('-p and --all go with --destroy; a plan of files is about the project they name');
  let r;
  try {
    r = await reconcileFiles(files, {
      host: opts.host,
      dryRun: true,
      onPlan: (p, warnings, about) => {
        if (opts.json) {
          out.log(planDoc(p, { ...about, warnings }));
          return;
        }
        for (const w of warnings) out.err(formatDiagnostic(w));
        out.log(renderText(p));
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

/** `plan --destroy [-p NAME | -f F | --all]`: what `destroy` would remove, changing nothing. */
async function planDestroy(files: string[], opts: PlanOptions, out: Output): Promise<number> {
  return onHost(undefined, async (kernel) => {
    const projects = await projectsOf(kernel, { project: opts.project, file: files, all: opts.all });
    const plans = await Promise.all(projects.map(async (project) => ({ project, plan: await destroyPlan(kernel, project) })));
    const steps = plans.reduce((n, p) => n + p.plan.steps.length, 0);
    if (opts.json) {
      const doc = projects.length === 1 && !opts.all ? { ...envelope({ project: projects[0] }), ...renderJson(plans[0].plan) }
        : { ...envelope({}), projects: plans.map((p) => ({ project: p.project, ...renderJson(p.plan) })) };
      out.log(JSON.stringify(doc, null, 2));
    } else if (steps === 0) {
      out.log(await nothingToDestroy(kernel, projects));
    } else {
      for (const p of plans) {
        if (p.plan.steps.length === 0) continue;
        if (projects.length > 1) out.log(`Project "${p.project}":`);
        out.log(renderText(p.plan));
      }
    }
    return opts.detailedExitcode && steps > 0 ? 2 : 0;
  });
}
