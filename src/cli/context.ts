// The common front half of plan/apply: files -> topology -> observe -> desired -> plan.
// Input is validated completely before the kernel is even opened.
import { SpecError } from '../errors.js';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import type { DesiredState, ObservedState } from '../model/state.js';
import { observe, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { compile, loadTopology, namespacesOf } from '../spec/index.js';
import type { Diagnostic } from '../errors.js';

export interface PlanContext {
  kernel: Kernel;
  desired: DesiredState;
  observed: ObservedState;
  plan: Plan;
  warnings: Diagnostic[];
}

export async function planFromFiles(files: string[], opts: { host?: string }): Promise<PlanContext> {
  const { topology, diagnostics } = await loadTopology(files);
  if (!topology) throw new SpecError(diagnostics);
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const kernel = await createKernel();
  try {
    const labels = namespacesOf(topology);
    let observed = await observe(kernel, labels);
    const desired = compile(topology, observed, { host: opts.host });
    // Address allocation needs the first observation; the sysctls the desired state
    // manages are only known after compiling, so read them in a second pass.
    const sysctls = sysctlsOf(desired);
    if (sysctls.length) observed = await observe(kernel, labels, sysctls);
    return { kernel, desired, observed, plan: plan(desired, observed), warnings };
  } catch (err) {
    await kernel.close();
    throw err;
  }
}
