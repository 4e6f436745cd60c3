// Pure: raw namespace dumps -> ObservedState. No I/O here (STYLE 4.3): observe()
// does the reading, this turns what was read into the model the planner diffs.
import type { NsDump, OwnedNetns, RouteRecord } from '../kernel/port.js';
import { DEFAULT_PROJECT, labelOwned, netnsKey, parseAlias, sysctlKey, withOwner } from '../model/keys.js';
import { HOST, projectOf, type ForeignObj, type NetnsObj, type NsRef, type ObservedState, type OwnedObj, type SysctlObj } from '../model/state.js';
import { convertAddrsRoutes } from './addrs.js';
import { convertLinks } from './links.js';

/** Whose objects are being observed: the project's own are owned objects, every other project's are
 *  foreign (with their project, so that a conflict names it). `routes`: the route records. */
export interface Mine { project: string; routes: readonly RouteRecord[] }
const DEFAULT_MINE: Mine = { project: DEFAULT_PROJECT, routes: [] };

export function toObserved(dumps: readonly (NsDump | null)[], labels: Map<NsRef, string>, owned: readonly OwnedNetns[], mine: Mine = DEFAULT_MINE): ObservedState {
  const others = othersNamespaces(dumps, owned, mine.project);
  const present = onceEach(dumps.filter((d): d is NsDump => d !== null), owned).map((d) => (others.has(d.ns) ? asForeign(d) : d));
  // Another project's namespace has no label: nothing in it is this project's.
  const labelOf = (ns: NsRef) => (others.has(ns) ? undefined : keyLabel(labels, ns));
  const objects = new Map<string, OwnedObj>();
  const foreign: ForeignObj[] = [];
  const add = (list: OwnedObj[]) => { for (const o of list) objects.set(o.key, o); };

  const links = convertLinks(present, labelOf, mine.project);
  add(links.objects);
  foreign.push(...links.foreign);
  const routeProject = new Map(mine.routes.map((r) => [r.dst, r.project]));
  for (const dump of present) {
    const label = labelOf(dump.ns);
    const ar = convertAddrsRoutes(dump, label, mine.project, routeProject);
    add(ar.objects);
    foreign.push(...ar.foreign);
    if (label === undefined) continue;
    for (const o of sysctlObjects(dump.ns, label, dump.sysctls)) objects.set(o.key, o);
  }
  const presentNs = new Set<NsRef>([HOST, ...present.map((d) => d.ns)]);
  for (const [ns, project] of others) {
    const marker = owned.find((o) => o.path === ns);
    if (marker?.exists) presentNs.add(ns);
    foreign.push({ kind: 'netns', ns, name: marker?.name ?? ns.split('/').pop() ?? ns, project });
  }
  for (const o of owned) {
    if (projectOf(o) !== mine.project) continue;
    const obj: NetnsObj = { kind: 'netns', key: netnsKey(o.name), name: o.name, path: o.path };
    if (o.shareOf !== undefined) obj.shareOf = o.shareOf;
    objects.set(obj.key, obj);
    // A namespace ctnet created exists even when no container label asked for its dump;
    // one whose marker outlived it (crash mid-create) is absent, so the planner recreates it.
    if (o.exists) presentNs.add(o.path);
  }
  for (const o of objects.values()) ownedBy(o, mine.project);
  return { objects: sortMap(objects), foreign, presentNs };
}

/** The label of ns in keys: the host namespace is always 'host', whether or not the caller said so. */
export const keyLabel = (labels: Map<NsRef, string>, ns: NsRef): string | undefined => labels.get(ns) ?? (ns === HOST ? 'host' : undefined);

/** An observed object as `project`'s: its owner from its key, and the project. */
export function ownedBy<T extends OwnedObj>(o: T, project: string): T {
  withOwner(o);
  if (project !== DEFAULT_PROJECT) o.owner = { ...o.owner, project };
  return o;
}

/** Container namespaces of other projects: made by ctnet for one (its marker says so), or holding
 *  links marked for one. The topology may still name them (`show` reads every named namespace; a
 *  container name two projects share is a conflict to report, not a namespace to take over). */
function othersNamespaces(dumps: readonly (NsDump | null)[], owned: readonly OwnedNetns[], project: string): Map<NsRef, string> {
  const out = new Map<NsRef, string>();
  for (const o of owned) if (projectOf(o) !== project) out.set(o.path, projectOf(o));
  for (const d of dumps) {
    if (!d || d.ns === HOST || out.has(d.ns)) continue;
    // Two projects never share a container namespace (a route or an address there would be whose?): any
    // link of another project's makes it that project's, and this one's objects there a conflict.
    const other = d.links.map((l) => parseAlias(l.alias)?.project).find((p) => p !== undefined && p !== project);
    if (other !== undefined) out.set(d.ns, other);
  }
  return out;
}

/** A namespace of another project: its links are foreign (and name it); nothing else in it is read. */
function asForeign(d: NsDump): NsDump {
  return { ...d, addrs: [], routes: [], sysctls: {} };
}

/** Two names of one namespace (a `container:` share, or the topology naming it twice) are read once:
 *  under the name that owns it (not a share ctnet made), else the first. The other name's dump keeps the
 *  namespace present but shows nothing in it, so nothing in it is planned twice. */
function onceEach(dumps: NsDump[], owned: readonly OwnedNetns[]): NsDump[] {
  const shares = new Set(owned.filter((o) => o.shareOf).map((o) => o.path));
  const keep = new Map<string, NsDump>();
  for (const d of dumps) {
    if (d.id === undefined) continue;
    const first = keep.get(d.id);
    if (!first || (shares.has(first.ns) && !shares.has(d.ns))) keep.set(d.id, d);
  }
  return dumps.map((d) => (d.id === undefined || keep.get(d.id) === d ? d : { ...d, links: [], addrs: [], routes: [] }));
}

/** Insertion order is the only order a Map has: make it the key order so nothing downstream depends on dump order. */
export function sortMap<V>(m: Map<string, V>): Map<string, V> {
  // sort() without a comparator orders strings by UTF-16 code units, as `<` does, without a call per comparison.
  const out = new Map<string, V>();
  for (const k of [...m.keys()].sort()) out.set(k, m.get(k)!);
  return out;
}

/** Observed sysctl values of one namespace as owned objects (the keys compile gives them). */
export function sysctlObjects(ns: NsRef, label: string, values: Record<string, string>): SysctlObj[] {
  return Object.keys(values).sort().map((path) => labelOwned<SysctlObj>({ kind: 'sysctl', key: sysctlKey(label, path), ns, path, value: values[path] }, label));
}
