// Pure: the part of an observation a pass about some containers plans against:
// the host dump without the veth ends of containers outside the pass, the
// containers' dumps, and only their namespace markers and files.
import type { NsDump, RawHostsFile, RawLink } from '../kernel/port.js';
import { containerOfKey, keyFromAlias, kindOfKey } from '../model/keys.js';
import { nsByLabel } from '../model/parts.js';
import { HOST, type NsRef } from '../model/state.js';
import type { Observation } from './observation.js';

/** The container name in a link's veth mark (undefined for other links), computed once per link object and
 *  kept on it: every targeted pass slices a host dump of ~1000 veth ends two or three times, and the links of
 *  a dump live on from pass to pass (a Map by mark or a WeakMap by link cost ~0.5 µs a lookup in code that runs
 *  once per edit: ~5 ms of an edit at 1000 containers; a property read costs nothing). */
const LABEL = Symbol('vethLabel');
type Labelled = RawLink & { [LABEL]?: string | null };
export function vethLabel(l: RawLink): string | undefined {
  let label = (l as Labelled)[LABEL];
  if (label === undefined) {
    const key = keyFromAlias(l.alias);
    label = (key !== undefined && kindOfKey(key) === 'veth' ? containerOfKey(key) : undefined) ?? null;
    Object.defineProperty(l, LABEL, { value: label }); // not enumerable: a dump compared or printed is unchanged
  }
  return label ?? undefined;
}

export function observationSlice(raw: Observation, containers: ReadonlySet<NsRef>, labels: Map<NsRef, string>): Observation {
  const byLabel = nsByLabel(labels);
  const outside = (label: string | undefined) => {
    if (label === undefined) return false;
    const ns = byLabel.get(label);
    return ns !== undefined && !containers.has(ns);
  };
  const dumps = new Map<NsRef, NsDump | null>();
  const host = raw.dumps.get(HOST);
  if (host) dumps.set(HOST, { ...host, links: host.links.filter((l) => !outside(vethLabel(l))) });
  // A namespace the topology no longer labels (its container was removed) is not read, exactly as in a
  // full observation: its veth then shows only the host end and is deleted explicitly, rather than being
  // left to the namespace's deletion (asynchronous in the kernel; verify would still see it).
  for (const ns of containers) if (raw.dumps.has(ns) && labels.has(ns)) dumps.set(ns, raw.dumps.get(ns)!);
  return {
    dumps,
    owned: raw.owned.filter((o) => containers.has(o.path)),
    files: raw.files.filter((f: RawHostsFile) => !outside(containerOfKey(f.key))),
    nft: raw.nft,
    routes: raw.routes,
    ...(raw.fw !== undefined ? { fw: raw.fw } : {}),
  };
}

/** The observation without what belongs to these (waiting) containers: their veth host ends, markers and
 *  files. Their objects are then on neither side of the plan, so it neither creates nor deletes them. */
export function observationWithout(raw: Observation, containers: ReadonlySet<NsRef>, labels: Map<NsRef, string>): Observation {
  const names = new Set([...containers].map((ns) => labels.get(ns)).filter((l): l is string => l !== undefined));
  const dumps = new Map(raw.dumps);
  for (const ns of containers) dumps.delete(ns);
  const host = raw.dumps.get(HOST);
  if (host) dumps.set(HOST, { ...host, links: host.links.filter((l) => !names.has(vethLabel(l) ?? '')) });
  return {
    dumps,
    owned: raw.owned.filter((o) => !containers.has(o.path)),
    files: raw.files.filter((f: RawHostsFile) => !names.has(containerOfKey(f.key) ?? '')),
    nft: raw.nft,
    routes: raw.routes,
    ...(raw.fw !== undefined ? { fw: raw.fw } : {}),
  };
}
