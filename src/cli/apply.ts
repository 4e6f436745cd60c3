import { formatDiagnostic } from '../errors.js';
import { renderText } from '../plan/render.js';
import { applyPlan } from '../apply/index.js';
import { StalePlanError, UsageError } from '../errors.js';
import { ALL } from '../model/parts.js';
import { reconcile } from '../reconcile/index.js';
import { neighboursOf } from '../reconcile/prepare.js';
import { digestsOf } from '../plan/reasons.js';
import { projectOf } from '../model/state.js';
import { lockTimeoutMs, onHost, reconcileFiles } from './context.js';
import { fingerprint, readPlan } from './saved-plan.js';
import type { Output } from './output.js';

export interface ApplyOptions { host?: string; quiet?: boolean; lockTimeout?: string; plan?: string }

export async function applyCommand(files: string[], opts: ApplyOptions, out: Output): Promise<number> {
  if (opts.plan && files.length) throw new UsageError('--plan applies a saved plan: give it or -f, not both');
  if (opts.plan) return applySaved(opts.plan, opts, out);
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

/** `apply --plan PLAN`: exactly the saved steps, on the host exactly as it was when they were planned. */
async function applySaved(path: string, opts: ApplyOptions, out: Output): Promise<number> {
  const { saved, desired } = readPlan(path);
  return onHost({ timeoutMs: lockTimeoutMs(opts.lockTimeout), projects: [projectOf(desired)] }, async (kernel) => {
    const now = await reconcile(kernel, desired, { parts: ALL, dryRun: true, neighbours: await neighboursOf(kernel, desired) });
    if (fingerprint(now.observed) !== saved.fingerprint) throw new StalePlanError(path);
    if (saved.plan.steps.length === 0) {
      out.log('No changes. The kernel matches the topology.');
      return 0;
    }
    if (!opts.quiet) out.log(renderText(saved.plan));
    const res = await applyPlan(kernel, desired, now.observed, saved.plan);
    await kernel.writeApplied(projectOf(desired), digestsOf(desired));
    out.log(`Applied ${res.done.length} step(s) of ${path} in ${res.ms.toFixed(0)} ms; verified: the kernel matches the topology.`);
    return 0;
  });
}
