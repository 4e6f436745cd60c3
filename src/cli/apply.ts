import { formatDiagnostic, type Diagnostic } from '../errors.js';
import { counts, renderText, waitingClause } from '../plan/render.js';
import { applyPlan } from '../apply/index.js';
import { StalePlanError, UsageError } from '../errors.js';
import type { Plan } from '../model/ops.js';
import { ALL } from '../model/parts.js';
import { reconcile } from '../reconcile/index.js';
import { neighboursOf } from '../reconcile/prepare.js';
import { digestsOf } from '../plan/reasons.js';
import { projectOf } from '../model/state.js';
import { reconcileFiles } from './context.js';
import { lockTimeoutMs, onHost } from './host.js';
import { envelope, errorDoc, stepJson } from './json-doc.js';
import { fingerprint, readPlan } from './saved-plan.js';
import { silentOutput, type Output } from './output.js';

export interface ApplyOptions { host?: string; quiet?: boolean; lockTimeout?: string; plan?: string; json?: boolean }

/** What an apply did, for `--json` (and the one line the text output ends with). `replanned`: why the first
 *  plan was undone and the host read and planned once more (the host changed under it), when it was. */
interface Outcome { plan?: Plan; warnings: Diagnostic[]; about: { project?: string; host?: string }; done: number; ms: number; replanned?: string }

export async function applyCommand(files: string[], opts: ApplyOptions, out: Output): Promise<number> {
  if (opts.plan && files.length) throw new UsageError('--plan applies a saved plan: give it or -f, not both');
  const o: Outcome = { warnings: [], about: {}, done: 0, ms: 0 };
  // --json: the plan is not printed as text; one document is written at the end, whatever happened.
  const text: Output = opts.json ? silentOutput : out;
  try {
    const code = opts.plan ? await applySaved(opts.plan, opts, text, o) : await applyFiles(files, opts, text, o);
    if (opts.json) out.log(doc(o, { result: o.done ? 'converged' : 'no-changes' }));
    return code;
  } catch (err) {
    if (!opts.json) throw err;
    out.log(doc(o, errorDoc(err)));
    return 1;
  }
}

function doc(o: Outcome, result: Record<string, unknown>): string {
  return JSON.stringify({
    ...envelope({ ...o.about, warnings: o.warnings }), ...result,
    changes: o.plan ? counts(o.plan) : null, steps: o.plan?.steps.map(stepJson) ?? [],
    conflicts: o.plan?.conflicts.map((c) => ({ key: c.key, message: c.message, hint: c.hint ?? null })) ?? [],
    waiting: o.plan?.waiting ?? [],
    done: o.done, durationMs: Math.round(o.ms * 10) / 10, replanned: o.replanned ?? null,
  }, null, 2);
}

async function applyFiles(files: string[], opts: ApplyOptions, out: Output, o: Outcome): Promise<number> {
  const said = new Set<string>(); // a second plan (the host changed under the first) repeats no warning
  const r = await reconcileFiles(files, {
    host: opts.host,
    lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
    onPlan: (plan, warnings, about) => {
      Object.assign(o, { plan, warnings, about });
      for (const w of warnings.map(formatDiagnostic)) if (!said.has(w)) { said.add(w); out.err(w); }
      if (plan.steps.length === 0 && plan.conflicts.length === 0) out.log(renderText(plan));
      else if (!opts.quiet) out.log(renderText(plan, { conflicts: false })); // the error reports them, once
    },
    // The error's message is one line (the step and the kernel's words); renderError would add the undo's lines.
    onReplan: (err) => {
      o.replanned = `the host changed under the plan (${err.message}): it was undone, read again and planned again`;
      out.err(`note: ${o.replanned}`);
    },
  });
  if (r.error) throw r.error;
  Object.assign(o, { done: r.done.length, ms: r.ms });
  if (r.done.length) out.log(`Applied ${r.done.length} step(s) in ${r.ms.toFixed(0)} ms; verified: the kernel matches the topology${waitingClause(r.plan)}.`);
  return 0;
}

/** `apply --plan PLAN`: exactly the saved steps, on the host exactly as it was when they were planned. */
async function applySaved(path: string, opts: ApplyOptions, out: Output, o: Outcome): Promise<number> {
  const { saved, desired } = readPlan(path);
  o.about = { project: projectOf(desired), ...(saved.host ? { host: saved.host } : {}) };
  return onHost({ timeoutMs: lockTimeoutMs(opts.lockTimeout), projects: [projectOf(desired)] }, async (kernel) => {
    const now = await reconcile(kernel, desired, { parts: ALL, dryRun: true, neighbours: await neighboursOf(kernel, desired) });
    if (fingerprint(now.observed) !== saved.fingerprint) throw new StalePlanError(path);
    o.plan = saved.plan;
    if (saved.plan.steps.length === 0) {
      out.log('No changes. The kernel matches the topology.');
      return 0;
    }
    if (!opts.quiet) out.log(renderText(saved.plan));
    const res = await applyPlan(kernel, desired, now.observed, saved.plan);
    await kernel.writeApplied(projectOf(desired), digestsOf(desired));
    Object.assign(o, { done: res.done.length, ms: res.ms });
    out.log(`Applied ${res.done.length} step(s) of ${path} in ${res.ms.toFixed(0)} ms; verified: the kernel matches the topology.`);
    return 0;
  });
}
