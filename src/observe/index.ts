// observe(kernel): read the host and every namespace the topology names, then hand
// the raw dumps to the pure converters. The only I/O of observation is here.
import PQueue from 'p-queue';
import type { Kernel, NsDump, OwnedNetns, RawHostsFile } from '../kernel/port.js';
import { HOST, type DesiredState, type NsRef, type ObservedState } from '../model/state.js';
import { sysctlObjects, toObserved } from './convert.js';
import { convertHostsFiles } from './hosts.js';
import { nftFromListing } from '../nft/observe.js';

/** Namespaces dumped at once: each dump is a few netlink requests; more in flight risks ENOBUFS (KERNEL-FACTS A6). */
const CONCURRENCY = 32;

export async function observe(
  kernel: Kernel,
  labels: Map<NsRef, string>,
  sysctls: { ns: NsRef; path: string }[] = [],
): Promise<ObservedState> {
  return fromRaw(await observeRaw(kernel, [...labels.keys()], sysctls), labels);
}

/** Everything observe() reads, before conversion: `ctnet watch` keeps it between passes and
 *  reads again only what kernel events say changed. */
export interface RawObservation {
  dumps: Map<NsRef, NsDump | null>;
  owned: OwnedNetns[];
  files: RawHostsFile[];
  nft: unknown | null;
}

export async function observeRaw(kernel: Kernel, namespaces: NsRef[], sysctls: { ns: NsRef; path: string }[] = []): Promise<RawObservation> {
  const wanted = pathsByNs(sysctls);
  const all = [...new Set<NsRef>([HOST, ...namespaces])].sort();
  const queue = new PQueue({ concurrency: CONCURRENCY });
  const [dumps, owned, files, nft] = await Promise.all([
    Promise.all(all.map((ns) => queue.add(() => kernel.dump(ns, wanted.get(ns) ?? [])))),
    kernel.listOwnedNetns(),
    kernel.listHostsFiles(),
    kernel.dumpNft(HOST),
  ]);
  return { dumps: new Map(all.map((ns, i) => [ns, (dumps[i] ?? null) as NsDump | null])), owned, files, nft };
}

/** Pure: what was read -> the observed state the planner diffs. */
export function fromRaw(raw: RawObservation, labels: Map<NsRef, string>): ObservedState {
  const observed = toObserved([...raw.dumps.values()], labels, raw.owned);
  for (const f of convertHostsFiles(raw.files)) observed.objects.set(f.key, f);
  const table = nftFromListing(raw.nft);
  if (table) observed.objects.set(table.key, table);
  return observed;
}

/** Sysctl paths grouped by namespace (what one read in each namespace asks for). */
export function pathsByNs(sysctls: Iterable<{ ns: NsRef; path: string }>): Map<NsRef, string[]> {
  const out = new Map<NsRef, string[]>();
  for (const s of sysctls) (out.get(s.ns) ?? out.set(s.ns, []).get(s.ns)!).push(s.path);
  return out;
}

/** The sysctls a desired state manages, so observe() reads their current values. */
export function sysctlsOf(desired: DesiredState): { ns: NsRef; path: string }[] {
  const out: { ns: NsRef; path: string }[] = [];
  for (const o of desired.objects.values()) if (o.kind === 'sysctl') out.push({ ns: o.ns, path: o.path });
  return out;
}

/** Adds the current values of these sysctls to an observation made without them. The sysctls
 *  ctnet manages are only known once the topology is compiled, and compiling needs the
 *  observation (stable addresses): reading just the values afterwards avoids compiling twice. */
export async function observeSysctls(kernel: Kernel, observed: ObservedState, labels: Map<NsRef, string>, sysctls: { ns: NsRef; path: string }[]): Promise<void> {
  for (const [ns, paths] of pathsByNs(sysctls)) {
    const label = labels.get(ns) ?? (ns === HOST ? 'host' : undefined);
    const values = label === undefined ? null : await kernel.readSysctls(ns, paths);
    if (values) for (const o of sysctlObjects(ns, label!, values)) observed.objects.set(o.key, o);
  }
}
