// The common front half of plan/apply: files -> topology -> observe -> desired -> plan.
// Input is validated completely before the kernel is even opened.
import { checkBoundPorts } from '../nft/bound.js';
import { hostname } from 'node:os';
import { SpecError } from '../errors.js';
import { createKernel } from '../kernel/index.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import type { DesiredState, NsRef, ObservedState } from '../model/state.js';
import { observe, observeSysctls, sysctlsOf } from '../observe/index.js';
import { plan } from '../plan/index.js';
import { compile, forHost, loadTopology, namespacesOf, type Topology } from '../spec/index.js';
import type { Diagnostic } from '../errors.js';

export interface PlanContext {
  kernel: Kernel;
  desired: DesiredState;
  observed: ObservedState;
  plan: Plan;
  warnings: Diagnostic[];
}

/** The host being applied: --host, else (in a multi-host topology) this machine's hostname. */
export function selfHost(t: Topology, given: string | undefined): string | undefined {
  if (t.hosts.size === 0) return given;
  const self = given ?? hostname();
  if (!t.hosts.has(self)) {
    throw new SpecError([{
      severity: 'error', file: t.files[0], path: 'hosts',
      message: `this host "${self}" is not one of the hosts of the topology (${[...t.hosts.keys()].join(', ')})`,
      hint: given ? 'pass --host with one of the names under `hosts`' : 'pass --host NAME, or add this machine under `hosts`',
    }]);
  }
  return self;
}

export async function planFromFiles(files: string[], opts: { host?: string }): Promise<PlanContext> {
  const { topology, diagnostics } = await loadTopology(files);
  if (!topology) throw new SpecError(diagnostics);
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const host = selfHost(topology, opts.host);
  const kernel = await createKernel();
  try {
    const planned = await planTopology(kernel, topology, host);
    // A published port shadowing a host service is allowed, but said.
    warnings.push(...(await checkBoundPorts(kernel, topology, planned.desired)));
    return { kernel, ...planned, warnings };
  } catch (err) {
    await kernel.close();
    throw err;
  }
}

/** observe -> compile -> plan for a loaded topology (also each full pass of `ctnet watch`, which
 *  passes its own `read` to keep what it read). */
export async function planTopology(
  kernel: Kernel,
  topology: Topology,
  host: string | undefined,
  read: (kernel: Kernel, labels: Map<NsRef, string>) => Promise<ObservedState> = observe,
) {
  const labels = namespacesOf(forHost(topology, host));
  const observed = await read(kernel, labels);
  const desired = compile(topology, observed, { host });
  await observeSysctls(kernel, observed, labels, sysctlsOf(desired));
  return { desired, observed, plan: plan(desired, observed) };
}
