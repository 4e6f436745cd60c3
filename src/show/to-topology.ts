// Observed state -> a topology in the user's own format (nmstate's symmetric
// state lesson): `ctnet show` prints what ctnet owns so that it can be saved,
// reviewed and applied again with an empty plan. Pure.
import { parseKey } from '../model/keys.js';
import { HOST, type AddrObj, type BridgeObj, type NftTableObj, type NsRef, type ObservedState, type RouteObj, type VethObj } from '../model/state.js';
import { flagsOf, peersOf, portsOf } from './firewall.js';
import { networkOf } from './cidr.js';

export interface ShownTopology {
  version: 1;
  name?: string;
  networks: Record<string, Record<string, unknown>>;
  containers: Record<string, Record<string, unknown>>;
  peers?: Record<string, { via: string; subnets: string[]; dev?: string }>;
}

/** `netnsNames` maps a namespace path to its name under /run/netns; `owned` are the names ctnet created. */
export function toTopology(obs: ObservedState, netnsNames: Map<NsRef, string>, owned: Set<string>): ShownTopology {
  const objs = [...obs.objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const addrs = objs.filter((o): o is AddrObj => o.kind === 'addr');
  const routes = objs.filter((o): o is RouteObj => o.kind === 'route');
  const table = objs.find((o): o is NftTableObj => o.kind === 'nft');
  const networks: ShownTopology['networks'] = {};
  for (const br of objs.filter((o): o is BridgeObj => o.kind === 'bridge')) {
    const net: Record<string, unknown> = { driver: 'bridge', bridge_name: br.name };
    for (const a of addrs.filter((a) => a.ns === br.ns && a.dev === br.name)) {
      if (a.family === 4) Object.assign(net, { subnet: networkOf(a.address, a.prefix, 4), gateway: a.address });
      else Object.assign(net, { ipv6_subnet: networkOf(a.address, a.prefix, 6), ipv6_gateway: a.address });
    }
    net.mtu = br.mtu;
    const name = br.key.slice('bridge/'.length);
    if (table) {
      // Only a table ctnet wrote says how the network is firewalled; without one, defaults hold.
      const f = flagsOf(table, name);
      if (f.internal) net.internal = true;
      else if (!f.masquerade) net.masquerade = false;
      if (!f.icc) net.icc = false;
      if (f.allowFrom.length) net.allow_from = f.allowFrom;
    }
    networks[name] = net;
  }
  const containers: ShownTopology['containers'] = {};
  for (const v of objs.filter((o): o is VethObj => o.kind === 'veth' && !!o.peerNs)) {
    const { container: ctr, network } = (v.owner ?? parseKey(v.key)) as { container: string; network: string };
    const c = (containers[ctr] ??= nsFields(v.peerNs, netnsNames, owned));
    const att: Record<string, unknown> = { interface: v.peerName, mac_address: v.peerMac };
    for (const a of addrs.filter((a) => a.ns === v.peerNs && a.dev === v.peerName)) {
      att[a.family === 4 ? 'ipv4_address' : 'ipv6_address'] = a.address;
    }
    att.default_route = routes.some((r) => r.ns === v.peerNs && r.dev === v.peerName && r.dst.endsWith('/0'));
    ((c.networks ??= {}) as Record<string, unknown>)[network] = att;
  }
  // Published ports, attributed to the container that has the target address.
  const owner = new Map<string, string>();
  for (const v of objs.filter((o): o is VethObj => o.kind === 'veth' && !!o.peerNs)) {
    for (const a of addrs.filter((a) => a.ns === v.peerNs && a.dev === v.peerName)) owner.set(a.address, (v.owner ?? parseKey(v.key)).container!);
  }
  for (const p of portsOf(table, (addr) => owner.get(addr))) {
    const c = containers[p.container];
    if (c) ((c.ports ??= []) as string[]).push(p.spec);
  }
  // Namespaces ctnet created that have no attachment: `network_mode: none` containers.
  for (const o of objs) {
    if (o.kind !== 'netns' || o.shareOf) continue;
    const used = Object.values(containers).some((c) => c.netns === o.name);
    if (!used) containers[o.name] = { netns: o.name, create: true, network_mode: 'none' };
  }
  const peers = peersOf(routes.filter((r) => r.ns === HOST));
  return { version: 1, networks, containers, ...(Object.keys(peers).length ? { peers } : {}) };
}

function nsFields(ns: NsRef, names: Map<NsRef, string>, owned: Set<string>): Record<string, unknown> {
  const name = names.get(ns);
  if (!name) return { netns: ns };
  return owned.has(name) ? { netns: name, create: true } : { netns: name };
}
