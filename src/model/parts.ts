// Parts of a host: the unit a reconcile pass reads and plans. "What a trigger
// means" (a kernel event, a file edit, a resync chunk), "what an edit changed"
// and "what a plan touched" are all sets of parts, and merging them is set
// union. `all` is the whole host (a full pass, exactly `ctnet apply`).
//
// A container's part (`ns:<path>`) is everything in its namespace, its veths
// (both ends), its namespace object and its hosts files; everything else
// (bridges, host addresses and routes, sysctls) is the host's part, which every
// pass plans. `ctr:<name>` names a container by name when only its mark is known
// (a veth host end seen in the host namespace, a container an edit removed);
// `link:<name>` one host link to look up by name instead of dumping the host.
// A new object kind says here which part it belongs to, once, in partOf().
import { containerOfKey } from './keys.js';
import type { Step } from './ops.js';
import { HOST, type DesiredState, type Key, type NsRef, type OwnedObj } from './state.js';

export type Part =
  | 'all'
  | 'host'
  | 'nft'
  /** The list of namespaces ctnet created (its markers). */
  | 'netns'
  /** The hosts/resolv.conf files ctnet manages a block in. */
  | 'files'
  /** Only the host namespace's sysctl values: what sends no event when changed (route_localnet, the bridge
   *  netfilter switches), read without the host's link dump (~100 ms of kernel time at 1000 veths). */
  | 'sysctl'
  | `ns:${string}`
  | `ctr:${string}`
  | `link:${string}`;

export type Parts = ReadonlySet<Part>;

export const ALL: Parts = new Set<Part>(['all']);
export const NONE: Parts = new Set<Part>();

export const nsPart = (ns: NsRef): Part => (ns === HOST ? 'host' : `ns:${ns}`);
export const ctrPart = (container: string): Part => `ctr:${container}`;
export const linkPart = (name: string): Part => `link:${name}`;

export const isAll = (p: Parts): boolean => p.has('all');

export function union(...sets: (Parts | Iterable<Part>)[]): Parts {
  const out = new Set<Part>();
  for (const s of sets) for (const p of s) out.add(p);
  return out.has('all') ? ALL : out;
}

/** The values of the parts of one form: namespaces (`ns:`), containers (`ctr:`) or host links (`link:`). */
export function valuesOf(parts: Parts, form: 'ns' | 'ctr' | 'link'): string[] {
  const prefix = `${form}:`;
  const out: string[] = [];
  for (const p of parts) if (p.startsWith(prefix)) out.push(p.slice(prefix.length));
  return out;
}

/** The part an owned object belongs to (before container names are resolved to namespaces). */
export function partOf(o: OwnedObj): Part {
  switch (o.kind) {
    case 'netns': return nsPart(o.path);
    case 'nft': return 'nft';
    // A veth belongs to its container; one whose peer was not seen is known by its owner only.
    case 'veth': return o.peerNs ? nsPart(o.peerNs) : ctrPart(containerOf(o));
    // The file is on the host's filesystem, but it is the container's.
    case 'hosts': return ctrPart(containerOf(o));
    default: return nsPart(o.ns);
  }
}

/** The container an object is there for (objects made before owners were recorded: from the key). */
const containerOf = (o: OwnedObj): string => o.owner?.container ?? containerOfKey(o.key) ?? '';

/** Container name -> its namespace, from a desired state's labels. Asked of the same labels several times
 *  in every pass (1000 containers: a map of 1000 built each time), so kept per labels map; a labels map is
 *  not changed once built (the size is checked all the same). */
export function nsByLabel(labels: Map<NsRef, string>): Map<string, NsRef> {
  const kept = byLabelOf.get(labels);
  if (kept && kept.size === labels.size) return kept.map;
  const out = new Map<string, NsRef>();
  for (const [ns, label] of labels) if (ns !== HOST) out.set(label, ns);
  byLabelOf.set(labels, { size: labels.size, map: out });
  return out;
}
const byLabelOf = new WeakMap<Map<NsRef, string>, { size: number; map: Map<string, NsRef> }>();

/** The namespace whose part `o` is (HOST for the host's part). Objects of a container the labels do
 *  not know are the host's (always looked at), so nothing is ever left out of a pass by mistake. */
export function namespaceOf(o: OwnedObj, byLabel: Map<string, NsRef>): NsRef {
  const p = partOf(o);
  if (p.startsWith('ns:')) return p.slice(3);
  if (p.startsWith('ctr:')) return byLabel.get(p.slice(4)) ?? HOST;
  return HOST;
}

/** The container namespaces `parts` name: by path, and by container name where `labels` know it. A
 *  namespace the labels no longer configure (an edit removed its container) is planned too, so its
 *  namespace object is deleted, but it is not read (observe/read.ts). */
export function containersIn(parts: Parts, labels: Map<NsRef, string>): Set<NsRef> {
  const byLabel = nsByLabel(labels);
  const out = new Set<NsRef>();
  for (const ns of valuesOf(parts, 'ns')) out.add(ns);
  for (const c of valuesOf(parts, 'ctr')) { const ns = byLabel.get(c); if (ns !== undefined) out.add(ns); }
  return out;
}

/** What must be read again after these steps ran, besides the containers a pass is about (read
 *  whole anyway): the host namespace when a bridge, host address, route or sysctl changed. Veth host
 *  ends are looked up by name with their container. */
export function touched(steps: Step[]): Parts {
  const s = new Set<Part>();
  for (const { op } of steps) {
    if (op.op === 'nft.apply') s.add('nft');
    else if (op.op === 'netns.create' || op.op === 'netns.delete') s.add('netns');
    else if (op.op === 'hosts.write' || op.op === 'hosts.delete') s.add('files');
    else if (op.op === 'link.delete') { if (op.ns === HOST && op.objs.some((o) => o.kind !== 'veth')) s.add('host'); }
    else if (op.op === 'link.create') { if (op.obj.kind !== 'veth') s.add('host'); }
    else if (op.op === 'link.update') { if (op.obj.ns === HOST && op.obj.kind !== 'veth') s.add('host'); }
    else if (op.obj.ns === HOST) s.add('host');
  }
  return s;
}

/** What an edit of the topology changes: the keys whose objects differ between the two desired
 *  states, and the parts to read and plan (the containers they belong to; containers that left the
 *  topology also by name, so their veth host ends are found by their mark). */
export function changedParts(prev: DesiredState, next: DesiredState): { keys: Set<Key>; parts: Parts } {
  const pb = nsByLabel(prev.nsLabels);
  const nb = nsByLabel(next.nsLabels);
  const keys = new Set<Key>();
  const parts = new Set<Part>();
  const note = (o: OwnedObj, byLabel: Map<string, NsRef>) => {
    if (o.kind === 'nft') parts.add('nft');
    else if (o.kind === 'netns') parts.add('netns');
    else if (o.kind === 'hosts') parts.add('files');
    const ns = namespaceOf(o, byLabel);
    if (ns !== HOST) parts.add(nsPart(ns));
    else if (o.kind !== 'nft' && o.kind !== 'hosts') parts.add('host');
  };
  // forEach, not for-of: an edit compares ~5000 keys a side in code that has run a few times, where each
  // for-of step over a Map allocates its [key, value] pair.
  prev.objects.forEach((a, key) => {
    const b = next.objects.get(key);
    if (b && same(a, b)) return;
    keys.add(key);
    note(a, pb);
    if (b) note(b, nb);
  });
  next.objects.forEach((b, key) => {
    if (prev.objects.has(key)) return;
    keys.add(key);
    note(b, nb);
  });
  for (const label of pb.keys()) if (!nb.has(label)) parts.add(ctrPart(label));
  return { keys, parts };
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
