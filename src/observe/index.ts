// observe(kernel): read the host and every namespace the topology names, then hand
// the raw dumps to the pure converters. The only I/O of observation is here and in
// read.ts (reading again just some parts of the host).
import type { Kernel } from '../kernel/port.js';
import { HOST, projectOf, type DesiredState, type FwAcceptObj, type NsRef, type ObservedState, type OwnedObj } from '../model/state.js';
import { DEFAULT_PROJECT, withOwner } from '../model/keys.js';
import { sysctlsIn } from '../model/slice.js';
import { keyLabel, ownedBy, sortMap, sysctlObjects, toObserved } from './convert.js';
import { convertHostsFiles } from './hosts.js';
import { nftFromListing } from '../nft/observe.js';
import { readAll, type Observation } from './read.js';

export { readAll, readParts, readMissingSysctls, pathsByNs, type Observation } from './read.js';
export { observationSlice, observationWithout } from './slice.js';

/** `project`: whose objects are observed as owned; every other project's are foreign (named in conflicts). */
export async function observe(
  kernel: Kernel,
  labels: Map<NsRef, string>,
  sysctls: { ns: NsRef; path: string }[] = [],
  project = DEFAULT_PROJECT,
  fw = false,
): Promise<ObservedState> {
  return fromRaw(await readAll(kernel, [...labels.keys()], sysctls, project, fw), labels, project);
}

/** Pure: what was read -> the observed state the planner diffs, as `project` sees it. */
export function fromRaw(raw: Observation, labels: Map<NsRef, string>, project = DEFAULT_PROJECT): ObservedState {
  const observed = toObserved([...raw.dumps.values()], labels, raw.owned, { project, routes: raw.routes });
  for (const f of convertHostsFiles(raw.files)) {
    if (projectOf(f.owner) === project) observed.objects.set(f.key, withOwner(f));
    else observed.foreign.push({ kind: 'file', ns: HOST, path: f.path, project: projectOf(f.owner) });
  }
  const table = nftFromListing(raw.nft);
  if (table && projectOf(table.owner) === project) observed.objects.set(table.key, table);
  for (const o of fwObjects(raw.fw, project)) observed.objects.set(o.key, o);
  return observed;
}

/**
 * `converted` (fromRaw of `before`) made good for `after`, an observation that differs from `before` only in
 * sysctl values read since (readMissingSysctls: compiling says which sysctls the topology manages, after the
 * read it compiled against): the same state with the changed namespaces' sysctl objects, as fromRaw(after)
 * would have them. Undefined when a changed namespace is not this project's to own (convert again then).
 */
export function withSysctls(converted: ObservedState, before: Observation, after: Observation, labels: Map<NsRef, string>, project = DEFAULT_PROJECT): ObservedState | undefined {
  let objects: Map<string, OwnedObj> | undefined;
  for (const [ns, d] of after.dumps) {
    if (before.dumps.get(ns) === d) continue;
    const label = keyLabel(labels, ns);
    if (!d || label === undefined || converted.foreign.some((f) => f.kind === 'netns' && f.ns === ns)) return undefined;
    objects ??= new Map(converted.objects);
    for (const o of sysctlObjects(ns, label, d.sysctls)) objects.set(o.key, ownedBy(o, project));
  }
  return objects ? { ...converted, objects: sortMap(objects) } : converted;
}

/** Whether two label maps say the same (a conversion made with one serves the other). */
export function sameLabels(a: Map<NsRef, string>, b: Map<NsRef, string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [ns, label] of a) if (b.get(ns) !== label) return false;
  return true;
}

/** The sysctls a desired state manages, so observe() reads their current values. */
export function sysctlsOf(desired: DesiredState): { ns: NsRef; path: string }[] {
  return sysctlsIn(desired);
}

/** ctnet's DOCKER-USER rules of `project` as objects: one per key, `partial` when only one direction is there. */
function fwObjects(rules: Observation['fw'], project: string): FwAcceptObj[] {
  const by = new Map<string, FwAcceptObj & { dirs: Set<string> }>();
  for (const r of rules ?? []) {
    if (r.project !== project) continue;
    const o = by.get(r.key) ?? by.set(r.key, { kind: 'fwaccept', key: r.key, ns: HOST, chain: r.chain, bridge: r.dev, dirs: new Set() }).get(r.key)!;
    o.dirs.add(r.dir);
  }
  return [...by.values()].map(({ dirs, ...o }) => withOwner({
    ...o, ...(dirs.size < 2 ? { partial: true } : {}), ...(project !== DEFAULT_PROJECT ? { owner: { project } } : {}),
  } as FwAcceptObj));
}
