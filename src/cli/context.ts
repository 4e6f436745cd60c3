// The common front half of plan/apply: files -> topology (validated completely
// before the kernel is even opened) -> the one reconcile path (src/reconcile).
import { ManagedError, SpecError, UsageError, type Diagnostic } from '../errors.js';
import { createKernel, thisProcess } from '../kernel/index.js';
import type { HostLock, Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import { ALL, NONE } from '../model/parts.js';
import { reconcile, type Reconciled } from '../reconcile/index.js';
import { digestsOf } from '../plan/reasons.js';
import { prepare } from '../reconcile/prepare.js';
import { DEFAULT_PROJECT, nftKey } from '../model/keys.js';
import { HOST, type DesiredState, type NftTableObj } from '../model/state.js';
import { boundPortWarnings, publishedPorts } from '../spec/bound-ports.js';
import { selfAddressWarnings } from '../spec/rules-hosts.js';
import { forwardDropWarnings } from '../spec/rules-forward.js';
import { loadTopology, selfHost, type Topology } from '../spec/index.js';
import { resolveDocker } from '../docker/resolve.js';
import { withFaultInjection } from './fault.js';

export interface FilesPass {
  /** Called once the plan is known, before any change, with the warnings to print first. */
  onPlan: (plan: Plan, warnings: Diagnostic[], about: { project: string; host?: string }) => void;
  host?: string;
  dryRun?: boolean;
  /** How long to wait for another ctnet that is changing the host (ms). */
  lockTimeoutMs?: number;
}

/** Before changing a project on the host: refuse when `ctnet watch` manages it, then wait for any other
 *  writer (an apply of another project, a pass of a daemon). */
export async function takeHost(kernel: Kernel, timeoutMs = 30_000, projects: string[] = [DEFAULT_PROJECT]): Promise<HostLock> {
  for (const p of projects) {
    const manager = await kernel.manager(p);
    if (manager) throw new ManagedError(manager, p);
  }
  return kernel.lock('write', thisProcess(), timeoutMs);
}

/** Load, validate, read the host, compile, plan and (unless dryRun) apply and verify. */
export async function reconcileFiles(files: string[], opts: FilesPass): Promise<Reconciled & { desired: DesiredState; host?: string }> {
  const { topology: loaded, diagnostics } = await loadTopology(files);
  if (!loaded) throw new SpecError(diagnostics);
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const host = selfHost(loaded, opts.host);
  // Docker containers by their engine's word (not before validation: invalid input never asks anyone).
  const { topology, warnings: engine } = await resolveDocker(loaded, host);
  warnings.push(...engine);
  // Read and plan only once no one else is changing the host (a plan made before would be stale).
  return onHost(opts.dryRun ? undefined : { timeoutMs: opts.lockTimeoutMs, projects: [topology.project] }, async (kernel) => {
    const drops = kernel.forwardDrops(HOST); // read beside the host, not after it
    const applied = await kernel.readApplied(topology.project);
    const { desired, observation, neighbours } = await prepare(kernel, topology, host, applied ?? {});
    warnings.push(...forwardDropWarnings(topology, host, await drops));
    // A published port shadowing a host service is allowed, but said.
    warnings.push(...(await checkBoundPorts(kernel, topology, desired)));
    warnings.push(...selfAddressWarnings(topology, host, observation.dumps.get(HOST)?.addrs.map((a) => a.address) ?? []));
    const r = await reconcile(kernel, desired, {
      parts: ALL, previous: observation, reread: NONE, dryRun: opts.dryRun, neighbours, applied,
      onPlan: (p) => opts.onPlan(p, warnings, { project: topology.project, ...(host ? { host } : {}) }),
    });
    if (!opts.dryRun && !r.error && (r.done.length > 0 || !applied)) await kernel.writeApplied(topology.project, digestsOf(desired));
    return { ...r, desired, ...(host ? { host } : {}) };
  });
}

/** Run `fn` with a kernel adapter (and the test hooks of fault.ts) and, when `lock` is given, with the host
 *  taken (takeHost); the lock and the adapter are released however `fn` ends. */
export async function onHost<T>(lock: { timeoutMs?: number; projects?: string[] } | undefined, fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  const kernel = withFaultInjection(await createKernel());
  let held: HostLock | undefined;
  try {
    if (lock) held = await takeHost(kernel, lock.timeoutMs, lock.projects);
    return await fn(kernel);
  } finally {
    held?.release();
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

/** --lock-timeout SECONDS (default 30) in ms; a usage error when it is not a number. */
export function lockTimeoutMs(text: string | undefined): number {
  if (text === undefined) return 30_000;
  const s = Number(text);
  if (!(s >= 0)) throw new UsageError(`--lock-timeout "${text}": expected a number of seconds (0 or more)`);
  return s * 1000;
}
