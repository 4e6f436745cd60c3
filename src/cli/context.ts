// The common front half of plan/apply: files -> topology (validated completely before anything is asked of
// the kernel but the reads a plan starts while it parses) -> the one reconcile path (src/reconcile).
import { SpecError, type ApplyError, type Diagnostic, type VerifyError } from '../errors.js';
import type { Kernel } from '../kernel/port.js';
import type { Plan } from '../model/ops.js';
import { ALL, NONE } from '../model/parts.js';
import { reconcile, type Reconciled } from '../reconcile/index.js';
import { digestsOf } from '../plan/reasons.js';
import { prepare } from '../reconcile/prepare.js';
import { hostChangedUnder } from '../reconcile/stale.js';
import { nftKey } from '../model/keys.js';
import { HOST, netnsPath, type DesiredState, type NftTableObj } from '../model/state.js';
import { boundPortWarnings, publishedPorts } from '../spec/bound-ports.js';
import { selfAddressWarnings } from '../spec/rules-hosts.js';
import { forwardDropWarnings } from '../spec/rules-forward.js';
import { checkRead, loadFiles, selfHost, type Topology } from '../spec/index.js';
import { readEarly } from '../kernel/readns.js';
import { resolveDocker } from '../docker/resolve.js';
import { announcedRun, DEFAULT_CACHE_DIR, trustedDir } from './code-cache.js';
import { onHost } from './host.js';
import { checkedCache, valueCache } from './value-cache.js';

export interface FilesPass {
  /** Called once the plan is known, before any change, with the warnings to print first. */
  onPlan: (plan: Plan, warnings: Diagnostic[], about: { project: string; host?: string }) => void;
  host?: string;
  dryRun?: boolean;
  /** How long to wait for another ctnet that is changing the host (ms). */
  lockTimeoutMs?: number;
  /** Called when an apply was undone because the host changed under its plan (reconcile/stale.ts), before the
   *  one more read and plan that follows (its plan goes to onPlan again). */
  onReplan?: (err: ApplyError | VerifyError) => void;
}

/** Load, validate, read the host, compile, plan and (unless dryRun) apply and verify. */
export async function reconcileFiles(files: string[], opts: FilesPass): Promise<Reconciled & { desired: DesiredState; host?: string }> {
  const read = await loadFiles(files);
  // A plan reads the host and the namespaces its text names on the threadpool while the topology is parsed and
  // checked on this thread, instead of after (at 1000 containers each is ~50 ms). Only a plan: it changes nothing
  // and takes no lock, so a read made before validation is as fresh as one made after; an apply reads under the
  // lock it takes once the files are valid. What the topology turns out not to name is dropped unread.
  if (opts.dryRun && read.diagnostics.length === 0) readEarly(namespacesNamedIn(read.files.map((f) => f.text)));
  // The executable has found the cache directory already (undefined: none); a run outside the bundle looks itself.
  const run = announcedRun();
  const dir = run ? run.dir : trustedDir(process.env.CTNET_CACHE_DIR ?? DEFAULT_CACHE_DIR);
  const { topology: loaded, diagnostics } = checkRead(read, undefined, valueCache(dir), checkedCache(dir, run?.build));
  if (!loaded) throw new SpecError(diagnostics);
  const found = diagnostics.filter((d) => d.severity === 'warning');
  const host = selfHost(loaded, opts.host);
  // Docker containers by their engine's word (not before validation: invalid input never asks anyone).
  const { topology, warnings: engine } = await resolveDocker(loaded, host);
  found.push(...engine);
  // Read and plan only once no one else is changing the host (a plan made before would be stale).
  return onHost(opts.dryRun ? undefined : { timeoutMs: opts.lockTimeoutMs, projects: [topology.project] }, async (kernel) => {
    const applied = await kernel.readApplied(topology.project);
    const pass = async () => {
      const warnings = [...found];
      const drops = kernel.forwardDrops(HOST); // read beside the host, not after it
      const { desired, observation, converted, neighbours } = await prepare(kernel, topology, host, applied ?? {});
      warnings.push(...forwardDropWarnings(topology, host, await drops));
      // A published port shadowing a host service is allowed, but said.
      warnings.push(...(await checkBoundPorts(kernel, topology, desired)));
      warnings.push(...selfAddressWarnings(topology, host, observation.dumps.get(HOST)?.addrs.map((a) => a.address) ?? []));
      const r = await reconcile(kernel, desired, {
        parts: ALL, previous: observation, converted, reread: NONE, dryRun: opts.dryRun, neighbours, applied,
        onPlan: (p) => opts.onPlan(p, warnings, { project: topology.project, ...(host ? { host } : {}) }),
      });
      return { ...r, desired };
    };
    let r = await pass();
    // Someone changed the host between the read and the apply (undone already): once more, from a new read, as
    // `ctnet watch` does. A second failure is the answer.
    if (!opts.dryRun && r.error && hostChangedUnder(r.error)) {
      opts.onReplan?.(r.error);
      kernel.revalidate(); // what the adapter remembers of links and namespaces is read again too
      r = await pass();
    }
    if (!opts.dryRun && !r.error && (r.done.length > 0 || !applied)) await kernel.writeApplied(topology.project, digestsOf(r.desired));
    return { ...r, ...(host ? { host } : {}) };
  });
}


/** The namespace files a topology's text names (`netns: NAME`), and the host's (null): a guess from the text for
 *  readEarly, not its meaning (an absolute path, `pid:` or `docker:` is read the usual way). */
const NETNS_NAMED = /\bnetns:[ \t]*["']?([A-Za-z0-9_-][A-Za-z0-9_.-]*)/g;
export function namespacesNamedIn(texts: string[]): (string | null)[] {
  const paths = new Set<string | null>([null]);
  for (const text of texts) for (const m of text.matchAll(NETNS_NAMED)) paths.add(netnsPath(m[1]));
  return [...paths];
}

/** Ask the kernel about the published host ports, then warn (plan and apply print these). */
async function checkBoundPorts(kernel: Kernel, t: Topology, desired: DesiredState): Promise<Diagnostic[]> {
  const table = desired.objects.get(nftKey()) as NftTableObj | undefined;
  const ports = [...new Set(publishedPorts(table).map((p) => p.port))];
  if (!ports.length) return [];
  return boundPortWarnings(t, table, await kernel.listeners(HOST, ports));
}

