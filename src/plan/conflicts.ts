// Pure: things in the kernel that are in the way and are not ctnet's. The plan
// still lists its steps, but apply refuses to run while any conflict exists:
// ctnet never changes what it does not own (TOPOLOGY.md, Ownership). Only objects
// the plan is about to create or replace are checked, so an operator's unrelated
// change next to a converged object never blocks reconciling.
import { parseKey } from '../model/keys.js';
import type { Conflict, Step } from '../model/ops.js';
import { HOST, type DesiredState, type ForeignObj, type Key, type NsRef, type ObservedState } from '../model/state.js';

const PROTOCOLS: Record<number, string> = { 0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 16: 'dhcp' };
const where = (ns: NsRef) => (ns === HOST ? 'the host namespace' : `namespace "${ns}"`);
const baseName = (ns: NsRef) => ns.split('/').pop() ?? ns;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function findConflicts(desired: DesiredState, observed: ObservedState, steps: Step[]): Conflict[] {
  const out: Conflict[] = [];
  const creating = new Set<Key>();
  for (const s of steps) {
    if (s.op.op === 'link.create' || s.op.op === 'addr.add' || s.op.op === 'route.replace' || s.op.op === 'netns.create') creating.add(s.key);
  }
  const links = new Map<string, ForeignObj>();
  const addrs = new Map<string, ForeignObj & { kind: 'addr' }>();
  const routes = new Map<string, ForeignObj & { kind: 'route' }>();
  for (const f of observed.foreign) {
    if (f.kind === 'link') links.set(`${f.ns}\u0000${f.name}`, f);
    else if (f.kind === 'addr') addrs.set(`${f.ns}\u0000${f.address}`, f);
    else routes.set(`${f.ns}\u0000${f.dst}`, f);
  }
  const netnsPaths = new Set<NsRef>();
  for (const o of desired.objects.values()) if (o.kind === 'netns') netnsPaths.add(o.path);
  const missingNs = new Map<NsRef, Key>();   // namespace -> first object that needs it
  const needNs = (ns: NsRef, key: Key) => {
    if (ns === HOST || netnsPaths.has(ns) || observed.presentNs.has(ns)) return;
    if (!missingNs.has(ns) || cmp(key, missingNs.get(ns)!) < 0) missingNs.set(ns, key);
  };

  for (const key of [...desired.objects.keys()].sort()) {
    const d = desired.objects.get(key)!;
    if (d.kind !== 'netns') needNs(d.ns, key);
    if (d.kind === 'veth') needNs(d.peerNs, key);
    const label = (ns: NsRef) => desired.nsLabels.get(ns) ?? baseName(ns);
    if (d.kind === 'netns' && !observed.objects.has(key) && observed.presentNs.has(d.path)) {
      out.push({
        key,
        message: `namespace "${d.path}" already exists and was not created by ctnet, but container "${label(d.path)}" sets \`create: true\``,
        hint: `remove \`create: true\` to use the existing namespace as it is, or delete it first (ip netns del ${d.name})`,
      });
    }
    if (!creating.has(key)) continue;
    if (d.kind === 'bridge' || d.kind === 'veth') {
      const f = links.get(`${d.ns}\u0000${d.name}`);
      if (f && f.kind === 'link') {
        out.push({
          key,
          message: `${d.kind} "${d.name}" cannot be created: ${where(d.ns)} already has a link "${d.name}"${f.linkKind ? ` (${f.linkKind})` : ''} that ctnet does not own`,
          hint: d.kind === 'bridge'
            ? `set \`bridge_name\` on network "${d.owner?.network ?? parseKey(key).network}" to a free name, or remove that link (ip link del ${d.name})`
            : `remove that link (ip link del ${d.name}); ctnet never takes over links it did not create`,
        });
      }
    }
    if (d.kind === 'veth' && links.has(`${d.peerNs}\u0000${d.peerName}`)) {
      out.push({
        key,
        message: `interface "${d.peerName}" cannot be created in ${where(d.peerNs)} of container "${label(d.peerNs)}": a link with that name exists there and is not ctnet's`,
        hint: `set \`interface\` on network "${d.owner?.network ?? parseKey(key).network}" of container "${d.owner?.container ?? parseKey(key).container}" to a free name, or remove "${d.peerName}" from that namespace`,
      });
    }
    if (d.kind === 'route') {
      const f = routes.get(`${d.ns}\u0000${d.dst}`);
      if (f) {
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
      if (f && f.dev !== d.dev) {
        out.push({
          key,
          message: `address ${d.address} is already on interface "${f.dev}" in ${where(d.ns)} (not ctnet's), so it cannot be added to "${d.dev}"`,
          hint: `choose another address in the topology, or remove ${d.address}/${f.prefix} from "${f.dev}"`,
        });
      }
    }
  }
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
