// Pure: things in the kernel that are in the way and are not ctnet's. The plan
// still lists its steps, but apply refuses to run while any conflict exists:
// ctnet never changes what it does not own (TOPOLOGY.md, Ownership). Only objects
// the plan is about to create or replace are checked, so an operator's unrelated
// change next to a converged object never blocks reconciling.
import { parseKey } from '../model/keys.js';
import { overlaps, parseCidr } from '../model/ip.js';
import type { Conflict, Step } from '../model/ops.js';
import { HOST, type DesiredState, type ForeignObj, type Key, type NsRef, type ObservedState } from '../model/state.js';
import { portConflicts } from './conflicts-ports.js';

const PROTOCOLS: Record<number, string> = { 0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 16: 'dhcp' };
/** Two addresses' networks overlap (the smaller prefix contains the other address). */
function sameNet(a: { address: string; prefix: number; family: 4 | 6 }, b: { address: string; prefix: number; family: 4 | 6 }): boolean {
  if (a.family !== b.family) return false;
  const x = parseCidr(`${a.address}/${a.prefix}`);
  const y = parseCidr(`${b.address}/${b.prefix}`);
  return !!x && !!y && overlaps(x, y);
}
const where = (ns: NsRef) => (ns === HOST ? 'the host namespace' : `namespace "${ns}"`);
const baseName = (ns: NsRef) => ns.split('/').pop() ?? ns;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function findConflicts(desired: DesiredState, observed: ObservedState, steps: Step[]): Conflict[] {
  const out: Conflict[] = [];
  const creating = new Set<Key>();
  for (const s of steps) {
    if (s.op.op === 'link.create' || s.op.op === 'addr.add' || s.op.op === 'route.replace' || s.op.op === 'netns.create') creating.add(s.key);
  }
  const links = new Map<string, ForeignObj & { kind: 'link' }>();
  const addrs = new Map<string, ForeignObj & { kind: 'addr' }>();
  const routes = new Map<string, ForeignObj & { kind: 'route' }>();
  const namespaces = new Map<string, ForeignObj & { kind: 'netns' }>();
  const files = new Map<string, ForeignObj & { kind: 'file' }>();
  const projectAddrs: (ForeignObj & { kind: 'addr' })[] = [];
  for (const f of observed.foreign) {
    if (f.kind === 'link') links.set(`${f.ns}\u0000${f.name}`, f);
    else if (f.kind === 'addr') {
      addrs.set(`${f.ns}\u0000${f.address}`, f);
      if (f.project !== undefined && f.ns === HOST) projectAddrs.push(f);
    } else if (f.kind === 'route') routes.set(`${f.ns}\u0000${f.dst}`, f);
    else if (f.kind === 'netns') namespaces.set(f.ns, f);
    else if (f.kind === 'file') files.set(f.path, f);
  }
  const netnsPaths = new Set<NsRef>();
  for (const o of desired.objects.values()) if (o.kind === 'netns') netnsPaths.add(o.path);
  const missingNs = new Map<NsRef, Key>();   // namespace -> first object that needs it
  const needNs = (ns: NsRef, key: Key) => {
    if (ns === HOST || netnsPaths.has(ns) || observed.presentNs.has(ns)) return;
    if (!missingNs.has(ns) || cmp(key, missingNs.get(ns)!) < 0) missingNs.set(ns, key);
  };

  // In any order: the conflicts are sorted at the end, and needNs keeps the least key itself.
  const label = (ns: NsRef) => desired.nsLabels.get(ns) ?? baseName(ns);
  for (const d of desired.objects.values()) { // values(): an entry pair per step is garbage at 5000 keys (diff.ts)
    const key = d.key;
    if (d.kind !== 'netns') needNs(d.ns, key);
    if (d.kind === 'veth') needNs(d.peerNs, key);
    const theirs = d.kind === 'netns' ? namespaces.get(d.path) : undefined;
    if (theirs && d.kind === 'netns') {
      out.push({
        key,
        message: `namespace "${d.path}" of container "${label(d.path)}" belongs to ctnet project "${theirs.project}"`,
        hint: `container names become namespace names: rename the container or set \`netns\`, or remove project "${theirs.project}" first (ctnet destroy -p ${theirs.project})`,
      });
    } else if (d.kind === 'netns' && !observed.objects.has(key) && observed.presentNs.has(d.path)) {
      out.push({
        key,
        message: `namespace "${d.path}" already exists and was not created by ctnet, but container "${label(d.path)}" sets \`create: true\``,
        hint: `remove \`create: true\` to use the existing namespace as it is, or delete it first (ip netns del ${d.name})`,
      });
    }
    if (!creating.has(key)) continue;
    if (d.kind === 'vxlan') {
      // Another project's overlay device, or a foreign one, on this name; another device with the same vni
      // and port under another name is reported by the kernel at create time (EEXIST, with the hint).
      const f = links.get(`${d.ns}\u0000${d.name}`);
      if (f) {
        out.push({
          key,
          message: `vxlan device "${d.name}" cannot be created: ${where(d.ns)} already has a link "${d.name}"${f.project !== undefined ? ` of ctnet project "${f.project}"` : ' that ctnet does not own'}`,
          hint: 'choose another routing.vni (every project of a host needs its own), or remove that link',
        });
      }
    }
    if (d.kind === 'bridge' || d.kind === 'veth') {
      const f = links.get(`${d.ns}\u0000${d.name}`);
      if (f && f.project !== undefined) {
        out.push({
          key,
          message: `${d.kind} "${d.name}" cannot be created: ${where(d.ns)} already has a link "${d.name}" of ctnet project "${f.project}"`,
          hint: d.kind === 'bridge'
            ? `set \`bridge_name\` on network "${d.owner?.network ?? parseKey(key).network}" to a name no other project uses, or remove project "${f.project}" first (ctnet destroy -p ${f.project})`
            : `remove project "${f.project}" first (ctnet destroy -p ${f.project}); ctnet never takes over another project's links`,
        });
      } else if (f) {
        out.push({
          key,
          message: `${d.kind} "${d.name}" cannot be created: ${where(d.ns)} already has a link "${d.name}"${f.linkKind ? ` (${f.linkKind})` : ''} that ctnet does not own`,
          hint: d.kind === 'bridge'
            ? `set \`bridge_name\` on network "${d.owner?.network ?? parseKey(key).network}" to a free name, or remove that link (ip link del ${d.name})`
            : `remove that link (ip link del ${d.name}); ctnet never takes over links it did not create`,
        });
      }
    }
    if (d.kind === 'veth' && links.has(`${d.peerNs}\u0000${d.peerName}`) && !namespaces.has(d.peerNs)) {
      out.push({
        key,
        message: `interface "${d.peerName}" cannot be created in ${where(d.peerNs)} of container "${label(d.peerNs)}": a link with that name exists there and is not ctnet's`,
        hint: `set \`interface\` on network "${d.owner?.network ?? parseKey(key).network}" of container "${d.owner?.container ?? parseKey(key).container}" to a free name, or remove "${d.peerName}" from that namespace`,
      });
    }
    if (d.kind === 'route') {
      const f = routes.get(`${d.ns}\u0000${d.dst}`);
      if (f?.project !== undefined) {
        out.push({
          key,
          message: `a route to ${d.dst} in ${where(d.ns)} belongs to ctnet project "${f.project}"`,
          hint: `two projects cannot route the same subnet: remove it from one of them (ctnet destroy -p ${f.project} removes that project)`,
        });
      } else if (f) {
        const proto = PROTOCOLS[f.protocol] ?? String(f.protocol);
        out.push({
          key,
          message: `a route to ${d.dst} already exists in ${where(d.ns)} (proto ${proto}${f.via ? `, via ${f.via}` : ''}${f.dev ? `, dev ${f.dev}` : ''}) and is not ctnet's; replacing it would take it over`,
          hint: `remove that route (ip route del ${d.dst}) or remove the route to ${d.dst} from the topology`,
        });
      }
    }
    if (d.kind === 'addr') {
      const f = addrs.get(`${d.ns}\u0000${d.address}`);
      const theirNet = d.ns === HOST ? projectAddrs.find((a) => sameNet(a, d)) : undefined;
      if (theirNet) {
        out.push({
          key,
          message: `subnet of ${d.address}/${d.prefix} overlaps ${theirNet.address}/${theirNet.prefix} on bridge "${theirNet.dev}" of ctnet project "${theirNet.project}"`,
          hint: `choose a subnet no other project uses (\`ctnet ls\` lists them), or remove project "${theirNet.project}" first (ctnet destroy -p ${theirNet.project})`,
        });
      } else if (f && f.dev !== d.dev) {
        out.push({
          key,
          message: `address ${d.address} is already on interface "${f.dev}" in ${where(d.ns)} (not ctnet's), so it cannot be added to "${d.dev}"`,
          hint: `choose another address in the topology, or remove ${d.address}/${f.prefix} from "${f.dev}"`,
        });
      }
    }
  }
  // Any other object in a namespace another project holds (a container namespace it created or has links in).
  const reported = new Set(out.map((c) => c.key));
  const told = new Set<NsRef>([...desired.objects.values()].flatMap((d) => (d.kind === 'netns' && namespaces.has(d.path) ? [d.path] : [])));
  // In key order, so a namespace is reported with its least key; only where another project holds one.
  for (const key of namespaces.size > 0 ? [...desired.objects.keys()].sort() : []) {
    const d = desired.objects.get(key)!;
    if (d.kind === 'netns' || reported.has(key)) continue;
    for (const ns of d.kind === 'veth' ? [d.ns, d.peerNs] : [d.ns]) {
      const theirs = namespaces.get(ns);
      if (!theirs || told.has(ns)) continue;
      told.add(ns);
      const label = desired.nsLabels.get(ns) ?? baseName(ns);
      out.push({
        key,
        message: `namespace "${ns}" of container "${label}" holds ctnet objects of project "${theirs.project}"; two projects cannot share a container namespace`,
        hint: `give container "${label}" a namespace of its own, or remove project "${theirs.project}" first (ctnet destroy -p ${theirs.project})`,
      });
    }
  }
  for (const d of desired.objects.values()) {
    const f = d.kind === 'hosts' ? files.get(d.path) : undefined;
    if (f) {
      out.push({
        key: d.key,
        message: `file "${f.path}" already has a block of ctnet project "${f.project}"`,
        hint: `set \`hosts_file\` of container "${d.owner?.container ?? parseKey(d.key).container}" to a path of its own`,
      });
    }
  }
  out.push(...portConflicts(desired, observed.foreign));
  for (const [ns, key] of [...missingNs.entries()].sort(([a], [b]) => cmp(a, b))) {
    const label = desired.nsLabels.get(ns) ?? baseName(ns);
    out.push({
      key,
      message: `namespace "${ns}" of container "${label}" does not exist`,
      hint: ns.startsWith('/run/netns/')
        ? `create it (ip netns add ${baseName(ns)}) or set \`create: true\` on container "${label}"`
        : `start the process that owns it, or set \`netns\` and \`create: true\` on container "${label}"`,
    });
  }
  return out.sort((a, b) => cmp(a.key, b.key) || cmp(a.message, b.message));
}
