// Pure: the slice of a desired state that a pass about some containers plans.
// A pass about containers S plans desired ∩ (host ∪ S) against observed ∩
// (host ∪ S) (observe/slice.ts): the other containers' objects are on neither
// side, so the plan neither creates nor deletes them.
import { namespaceOf, nsByLabel } from './parts.js';
import { HOST, type DesiredState, type NsRef, type OwnedObj } from './state.js';

/** A desired state's objects by namespace part, computed once per desired state: a pass about one
 *  container of 1000 must not look at 5000 objects to find its slice. */
const index = new WeakMap<DesiredState, Map<NsRef, OwnedObj[]>>();
export function objectsByPart(desired: DesiredState): Map<NsRef, OwnedObj[]> {
  let m = index.get(desired);
  if (!m) {
    m = new Map([[HOST, []]]);
    const byLabel = nsByLabel(desired.nsLabels);
    for (const o of desired.objects.values()) {
      const p = namespaceOf(o, byLabel);
      const list = m.get(p);
      if (list) list.push(o);
      else m.set(p, [o]);
    }
    index.set(desired, m);
  }
  return m;
}

/** desired ∩ (host ∪ containers). */
export function desiredSlice(desired: DesiredState, containers: ReadonlySet<NsRef>): DesiredState {
  return partsOf(desired, [HOST, ...[...containers].sort()], (ns) => ns === HOST || containers.has(ns));
}

/** The objects of these parts, in this order; the labels `keep` says. */
function partsOf(desired: DesiredState, parts: Iterable<NsRef>, keep: (ns: NsRef) => boolean): DesiredState {
  const m = objectsByPart(desired);
  const objects = new Map<string, OwnedObj>();
  for (const p of parts) for (const o of m.get(p) ?? []) objects.set(o.key, o);
  const nsLabels = new Map([...desired.nsLabels].filter(([ns]) => keep(ns)));
  // The whole state's origins: a slice's objects are among them, and nothing asks it for another key.
  return { objects, origin: desired.origin, nsLabels };
}

/** The sysctls of the host's part and of these containers (all of them when `containers` is undefined). */
export function sysctlsIn(desired: DesiredState, containers?: ReadonlySet<NsRef>): { ns: NsRef; path: string }[] {
  const out: { ns: NsRef; path: string }[] = [];
  const lists = containers ? [HOST, ...containers].map((p) => objectsByPart(desired).get(p) ?? []) : [desired.objects.values()];
  for (const list of lists) for (const o of list) if (o.kind === 'sysctl') out.push({ ns: o.ns, path: o.path });
  return out;
}

/** desired without the parts of these container namespaces (containers that are waiting: their namespace is
 *  gone because their process or Docker container is not running, and nothing can be done in it). */
export function desiredWithout(desired: DesiredState, containers: ReadonlySet<NsRef>): DesiredState {
  const keep = (ns: NsRef) => !containers.has(ns);
  return partsOf(desired, [...objectsByPart(desired).keys()].filter(keep), keep);
}

/** The state holds an object of this kind (e.g. `fwaccept`: Docker's DOCKER-USER chain must be read too). */
export function hasKind(state: { objects: ReadonlyMap<string, OwnedObj> }, kind: OwnedObj['kind']): boolean {
  for (const o of state.objects.values()) if (o.kind === kind) return true;
  return false;
}
