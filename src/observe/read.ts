// Reading the kernel into an Observation (the raw dumps, before conversion), whole
// or by parts. A full read of a host with 1000 containers is ~1000 netlink dumps
// plus a host link dump the kernel itself needs ~100 ms for; a pass about one
// container re-reads just that container's dump and its veth host ends by name,
// and takes every other part from the previous observation (unchanged by
// definition: it would have sent an event, or the periodic resync catches it).
// An observation is never changed in place: a read returns a new one.
import type { Kernel, NsDump, OwnedNetns, RawHostsFile, RawLink } from '../kernel/port.js';
import { containersIn, isAll, valuesOf, type Parts } from '../model/parts.js';
import { HOST, NETNS_DIR, type NsRef } from '../model/state.js';
import { DEFAULT_PROJECT, tableOf } from '../model/keys.js';
import type { Observation } from './observation.js';
import { vethLabel } from './slice.js';

export type { Observation };

type Sysctls = { ns: NsRef; path: string }[];

/** Read everything: the host, these namespaces, ctnet's namespace markers, files and route records (of
 *  every project: conflicts name the others), and the nft table of `project`. */
export async function readAll(kernel: Kernel, namespaces: NsRef[], sysctls: Sysctls = [], project = DEFAULT_PROJECT, fw = false): Promise<Observation> {
  const wanted = pathsByNs(sysctls);
  const all = [...new Set<NsRef>([HOST, ...namespaces])].sort();
  const [dumps, owned, files, nft, routes, rules] = await Promise.all([
    // All at once: the adapter reads the namespaces asked for together on a few threadpool jobs.
    Promise.all(all.map((ns) => kernel.dump(ns, wanted.get(ns) ?? []))),
    kernel.listOwnedNetns(),
    kernel.listHostsFiles(),
    kernel.dumpNft(HOST, tableOf(project)),
    kernel.listRouteRecords(),
    fw ? kernel.readFwRules(HOST) : undefined,
  ]);
  return { dumps: new Map(all.map((ns, i) => [ns, (dumps[i] ?? null) as NsDump | null])), owned, files, nft, routes, ...(fw ? { fw: rules } : {}) };
}

/**
 * Read again what `parts` name, on top of `previous`; everything else is taken from it.
 * `labels` are the namespaces the topology configures (a namespace it no longer labels is not read,
 * exactly as in a full read); `sysctls` are the values to read with each dump.
 */
export async function readParts(
  kernel: Kernel,
  labels: Map<NsRef, string>,
  opts: { parts: Parts; previous?: Observation; sysctls?: Sysctls; project?: string; fw?: boolean },
): Promise<Observation> {
  const { parts, previous, sysctls = [], project = DEFAULT_PROJECT } = opts;
  // Docker's chain is read with the host's part, where it was read before or is wanted now.
  const fw = opts.fw === true || previous?.fw !== undefined;
  if (!previous || isAll(parts)) return readAll(kernel, [...labels.keys()], sysctls, project, fw);
  const wanted = pathsByNs(sysctls);
  const containers = containersIn(parts, labels);
  const hostDump = previous.dumps.get(HOST);
  const readHost = parts.has('host') || !hostDump;
  const dumped = [...containers].filter((ns) => labels.has(ns)); // see observationSlice: removed ones are not read
  const names = new Set(valuesOf(parts, 'link'));
  if (!readHost) {
    // The veth host ends of the containers in these parts: whatever carries their mark now
    // (`ctr:` may name containers the topology no longer has: their ends are to be deleted).
    const marks = new Set([...valuesOf(parts, 'ctr'), ...dumped.map((ns) => labels.get(ns)!)]);
    for (const l of hostDump.links) {
      const label = vethLabel(l);
      if (label !== undefined && marks.has(label)) names.add(l.name);
    }
  }
  const partialNetns = parts.has('host') || containers.size === 0 ? undefined
    : [...containers].filter((p) => p.startsWith(`${NETNS_DIR}/`)).map((p) => p.slice(NETNS_DIR.length + 1));
  const sysctlOnly = !readHost && parts.has('sysctl') && hostDump !== undefined && hostDump !== null;
  const [dumps, host, links, nft, owned, files, routes, hostSysctls, rules] = await Promise.all([
    Promise.all(dumped.map((ns) => kernel.dump(ns, wanted.get(ns) ?? []))),
    readHost ? kernel.dump(HOST, wanted.get(HOST) ?? []) : undefined,
    !readHost && names.size ? kernel.getLinks(HOST, [...names]) : undefined,
    parts.has('nft') ? kernel.dumpNft(HOST, tableOf(project)) : undefined,
    // The namespace list: just the named namespaces of these containers when the pass is about a few.
    parts.has('netns') ? kernel.listOwnedNetns(partialNetns) : undefined,
    parts.has('files') ? kernel.listHostsFiles() : undefined,
    readHost ? kernel.listRouteRecords() : undefined,
    sysctlOnly ? kernel.readSysctls(HOST, wanted.get(HOST) ?? []) : undefined,
    readHost && fw ? kernel.readFwRules(HOST) : undefined,
  ]);
  const next = new Map(previous.dumps);
  dumped.forEach((ns, i) => next.set(ns, dumps[i]));
  if (host !== undefined) next.set(HOST, host);
  else if (hostDump && links) next.set(HOST, overlay(hostDump, names, links));
  if (hostSysctls) next.set(HOST, { ...next.get(HOST)!, sysctls: { ...next.get(HOST)!.sysctls, ...hostSysctls } });
  let ownedNow = previous.owned;
  if (owned && partialNetns) {
    const only = new Set(partialNetns);
    ownedNow = previous.owned.filter((o) => !only.has(o.name)).concat(owned).sort((a, b) => (a.name < b.name ? -1 : 1));
  } else if (owned) ownedNow = owned;
  return {
    dumps: next, owned: ownedNow, files: files ?? previous.files, nft: nft !== undefined ? nft : previous.nft,
    routes: routes ?? previous.routes,
    ...(fw ? { fw: readHost ? rules : previous.fw } : {}),
  };
}

/** Sysctl paths grouped by namespace (what one read in each namespace asks for). */
export function pathsByNs(sysctls: Iterable<{ ns: NsRef; path: string }>): Map<NsRef, string[]> {
  const out = new Map<NsRef, string[]>();
  for (const s of sysctls) (out.get(s.ns) ?? out.set(s.ns, []).get(s.ns)!).push(s.path);
  return out;
}

/** The observation with the values of these sysctls read where it has none yet (an observation made
 *  before compiling does not know which sysctls the topology manages). */
export async function readMissingSysctls(kernel: Kernel, obs: Observation, sysctls: Sysctls): Promise<Observation> {
  const missing = [...pathsByNs(sysctls)]
    .map(([ns, paths]) => [ns, paths.filter((p) => !(p in (obs.dumps.get(ns)?.sysctls ?? {})))] as const)
    .filter(([ns, paths]) => paths.length > 0 && obs.dumps.get(ns));
  if (missing.length === 0) return obs;
  const dumps = new Map(obs.dumps);
  for (const [ns, paths] of missing) {
    const values = await kernel.readSysctls(ns, paths);
    const d = dumps.get(ns);
    if (values && d) dumps.set(ns, { ...d, sysctls: { ...d.sysctls, ...values } });
  }
  return { ...obs, dumps };
}

/** The host dump with the links looked up by name replaced by what the kernel has now (a link that
 *  was re-created has a new ifindex; one that is gone is dropped). */
function overlay(d: NsDump, names: Set<string>, fresh: RawLink[]): NsDump {
  const indexes = new Set(fresh.map((l) => l.index));
  const links = d.links.filter((l) => !names.has(l.name) && !indexes.has(l.index)).concat(fresh);
  return { ...d, links };
}
