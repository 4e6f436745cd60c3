// destroy = plan towards "nothing owned" and apply it. Only objects carrying
// ctnet's marks are ever in that plan, so nothing of the operator's is touched.
import { execute } from '../apply/execute.js';
import { lockTimeoutMs, onHost } from './context.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import { HOST } from '../model/state.js';
import { observe } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { renderText } from '../plan/render.js';
import type { Output } from './output.js';

/** What destroy removes: a plan from what the host holds of ctnet's towards nothing. */
export async function destroyPlan(kernel: Kernel): Promise<Plan> {
  const labels = new Map([[HOST, 'host']]);
  return plan({ objects: new Map(), origin: new Map(), nsLabels: labels }, await observe(kernel, labels));
}

export async function destroyCommand(out: Output, opts: { lockTimeout?: string } = {}): Promise<number> {
  return onHost({ timeoutMs: lockTimeoutMs(opts.lockTimeout) }, async (kernel) => {
    const p = await destroyPlan(kernel);
    if (p.steps.length === 0) {
      out.log('Nothing to destroy: ctnet owns nothing on this host.');
      return 0;
    }
    out.log(renderText(p));
    const res = await execute(kernel, { ...p, conflicts: [] }, { bestEffort: true });
    for (const f of res.failed) out.err(`error: ${f.step.op.op} ${f.step.key}: ${f.error.message}`);
    if (res.failed.length) {
      out.err(`${res.failed.length} step(s) failed; run \`ctnet destroy\` again or remove them by hand.`);
      return 1;
    }
    out.log(`Destroyed: ${res.done.length} step(s) in ${res.ms.toFixed(0)} ms.`);
    return 0;
  });
}
