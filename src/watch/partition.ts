// Pure: which part of the host an object belongs to, and the slice of a state
// that a targeted watch pass looks at. A container's part is everything in its
// namespace, its veths (both ends), its namespace object and its hosts files;
// everything else (bridges, host addresses and routes, sysctls, the nftables
// table) is the host's part, which every pass includes. A pass about containers
// S plans desired∩(host ∪ S) against observed∩(host ∪ S): the other containers'
// objects are on neither side, so the plan neither creates nor deletes them.
import type { NsDump, RawHostsFile, RawLink } from '../kernel/port.js';
import { keyFromAlias } from '../model/keys.js';
import { HOST, type DesiredState, type NsRef, type OwnedObj, type SourceRef } from '../model/state.js';
import type { RawObservation } from '../observe/index.js';

/** Container label -> its namespace, from the desired state's labels. */
export function nsByLabel(labels: Map<NsRef, string>): Map<string, NsRef> {
  const out = new Map<string, NsRef>();
  for (const [ns, label] of labels) if (ns !== HOST) out.set(label, ns);
  return out;
}

/** The container label a per-container key names ("veth/web1/net" -> "web1"), if any. */
export function labelOfKey(key: string): string | undefined {
  const [kind, label] = key.split('/');
  return kind === 'veth' || kind === 'hosts' || kind === 'resolv' ? label : undefined;
}

/** The namespace whose part `o` is: HOST for the host's part. Unattributable objects are the host's
 *  (always looked at), so nothing is ever left out of a pass by mistake. */
export function partitionOf(o: OwnedObj, byLabel: Map<string, NsRef>): NsRef {
  if (o.kind === 'netns') return o.path;
  const label = labelOfKey(o.key);
  if (label !== undefined) return byLabel.get(label) ?? HOST;
  return o.ns;
}

/** A desired state's objects by part, computed once per desired state: a watch pass about one
 *  container of 1000 must not look at 5000 objects to find its slice. */
const parts = new WeakMap<DesiredState, Map<NsRef, OwnedObj[]>>();
function partsOf(desired: DesiredState): Map<NsRef, OwnedObj[]> {
  let m = parts.get(desired);
  if (!m) {
    m = new Map([[HOST, []]]);
    const byLabel = nsByLabel(desired.nsLabels);
    for (const o of desired.objects.values()) {
      const p = partitionOf(o, byLabel);
      const list = m.get(p);
      if (list) list.push(o);
      else m.set(p, [o]);
    }
    parts.set(desired, m);
  }
  return m;
}

/** desired ∩ (host ∪ scope). */
export function desiredSlice(desired: DesiredState, scope: ReadonlySet<NsRef>): DesiredState {
  const m = partsOf(desired);
  const objects = new Map<string, OwnedObj>();
  for (const p of [HOST, ...[...scope].sort()]) for (const o of m.get(p) ?? []) objects.set(o.key, o);
  const origin = new Map<string, SourceRef>();
  for (const k of objects.keys()) { const src = desired.origin.get(k); if (src) origin.set(k, src); }
  const nsLabels = new Map([...desired.nsLabels].filter(([ns]) => ns === HOST || scope.has(ns)));
  return { objects, origin, nsLabels };
}

/** The container label of a link's veth mark (undefined for other links), computed once per link
 *  object: every targeted pass slices the same host dump of ~1000 veth ends. */
const linkLabels = new WeakMap<RawLink, string | null>();
export function vethLabel(l: RawLink): string | undefined {
  let label = linkLabels.get(l);
  if (label === undefined) {
    const key = keyFromAlias(l.alias);
    label = (key?.startsWith('veth/') ? labelOfKey(key) : undefined) ?? null;
    linkLabels.set(l, label);
  }
  return label ?? undefined;
}

/** The desired objects of one part (HOST: the host's part). */
export function partObjects(desired: DesiredState, part: NsRef): readonly OwnedObj[] {
  return partsOf(desired).get(part) ?? [];
}

/** The raw reads a sliced observation is converted from: the host dump without the veth ends of
 *  containers outside the scope, the scope's dumps, and only the scope's namespaces and files. */
export function rawSlice(raw: RawObservation, scope: ReadonlySet<NsRef>, labels: Map<NsRef, string>): RawObservation {
  const byLabel = nsByLabel(labels);
  const outside = (label: string | undefined) => {
    if (label === undefined) return false;
    const ns = byLabel.get(label);
    return ns !== undefined && !scope.has(ns);
  };
  const dumps = new Map<NsRef, NsDump | null>();
  const host = raw.dumps.get(HOST);
  if (host) {
    dumps.set(HOST, { ...host, links: host.links.filter((l) => !outside(vethLabel(l))) });
  }
  // A namespace the topology no longer labels (its container was removed) is not read, exactly as in a
  // full observation: its veth then shows only the host end and is deleted explicitly, rather than being
  // left to the namespace's deletion (asynchronous in the kernel; verify would still see it).
  for (const ns of scope) if (raw.dumps.has(ns) && labels.has(ns)) dumps.set(ns, raw.dumps.get(ns)!);
  return {
    dumps,
    owned: raw.owned.filter((o) => scope.has(o.path)),
    files: raw.files.filter((f: RawHostsFile) => !outside(labelOfKey(f.key))),
    nft: raw.nft,
  };
}

/** What an edit of the topology changes, by part: the containers whose objects differ between the
 *  two desired states (by namespace; containers that left the topology also by label, so their veth
 *  host ends are looked up), and which host-wide reads the changed objects need. */
export interface Changed {
  keys: Set<string>;
  ns: Set<NsRef>;
  labels: Set<string>;
  host: boolean;
  nft: boolean;
  netns: boolean;
  files: boolean;
}

export function changedParts(prev: DesiredState, next: DesiredState): Changed {
  const pb = nsByLabel(prev.nsLabels);
  const nb = nsByLabel(next.nsLabels);
  const c: Changed = { keys: new Set(), ns: new Set(), labels: new Set(), host: false, nft: false, netns: false, files: false };
  const note = (o: OwnedObj, byLabel: Map<string, NsRef>) => {
    if (o.kind === 'nft') c.nft = true;
    else if (o.kind === 'netns') c.netns = true;
    else if (o.kind === 'hosts') c.files = true;
    const part = partitionOf(o, byLabel);
    if (part !== HOST) c.ns.add(part);
    else if (o.kind !== 'nft' && o.kind !== 'hosts') c.host = true;
  };
  for (const [key, a] of prev.objects) {
    const b = next.objects.get(key);
    if (b && same(a, b)) continue;
    c.keys.add(key);
    note(a, pb);
    if (b) note(b, nb);
  }
  for (const [key, b] of next.objects) {
    if (prev.objects.has(key)) continue;
    c.keys.add(key);
    note(b, nb);
  }
  for (const label of pb.keys()) if (!nb.has(label)) c.labels.add(label);
  return c;
}

/** Structural equality of two plain-data objects (desired objects hold only JSON values). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
