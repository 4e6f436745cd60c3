// The common front half of plan/apply: files -> topology (validated completely
// before the kernel is even opened) -> the one reconcile path (src/reconcile).
import { SpecError, type Diagnostic } from '../errors.js';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import { ALL, NONE } from '../model/parts.js';
import { reconcile, type Reconciled } from '../reconcile/index.js';
import { prepare } from '../reconcile/prepare.js';
import { nftKey } from '../model/keys.js';
import { HOST, type DesiredState, type NftTableObj } from '../model/state.js';
import { boundPortWarnings, publishedPorts } from '../spec/bound-ports.js';
import { loadTopology, selfHost, type Topology } from '../spec/index.js';
import { withFaultInjection } from './fault.js';

export interface FilesPass {
  /** Called once the plan is known, before any change, with the warnings to print first. */
  onPlan: (plan: Plan, warnings: Diagnostic[]) => void;
  host?: string;
  dryRun?: boolean;
}

/** Load, validate, read the host, compile, plan and (unless dryRun) apply and verify. */
export async function reconcileFiles(files: string[], opts: FilesPass): Promise<Reconciled> {
  const { topology, diagnostics } = await loadTopology(files);
  if (!topology) throw new SpecError(diagnostics);
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const host = selfHost(topology, opts.host);
  const kernel: Kernel = withFaultInjection(await createKernel());
  try {
    const { desired, observation } = await prepare(kernel, topology, host);
    // A published port shadowing a host service is allowed, but said.
    warnings.push(...(await checkBoundPorts(kernel, topology, desired)));
    return await reconcile(kernel, desired, {
      parts: ALL, previous: observation, reread: NONE, dryRun: opts.dryRun,
      onPlan: (p) => opts.onPlan(p, warnings),
    });
  } finally {
    await kernel.close();
  }
}

/** Ask the kernel about the published host ports, then warn (plan and apply print these). */
async function checkBoundPorts(kernel: Kernel, t: Topology, desired: DesiredState): Promise<Diagnostic[]> {
  const table = desired.objects.get(nftKey()) as NftTableObj | undefined;
  const ports = [...new Set(publishedPorts(table).map((p) => p.port))];
  if (!ports.length) return [];
  return boundPortWarnings(t, table, await kernel.listeners(HOST, ports));
}
