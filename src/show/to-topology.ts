// Observed state -> a topology in the user's own format (nmstate's symmetric
// state lesson): `ctnet show` prints what ctnet owns so that it can be saved,
// reviewed and applied again with an empty plan. Pure.
import { parseKey } from '../model/keys.js';
import { HOST, type AddrObj, type BridgeObj, type HostsFileObj, type NftTableObj, type NsRef, type ObservedState, type RouteObj, type VethObj } from '../model/state.js';
import { flagsOf, peersOf, portsOf } from './firewall.js';
import { networkOf } from './cidr.js';
import { namesOf, type Holder } from './names.js';

export interface ShownTopology {
  version: 1;
  name?: string;
  networks: Record<string, Record<string, unknown>>;
  containers: Record<string, Record<string, unknown>>;
  peers?: Record<string, { via: string; subnets: string[]; dev?: string }>;
  firewall?: { docker_user: true };
}

/** A running Docker container's namespace (`/proc/<pid>/ns/net`) as the engine names it. */
export interface DockerNs { name: string; hostsPath?: string }

/** `netnsNames` maps a namespace path to its name under /run/netns; `owned` are the names ctnet created;
 *  `docker`: the namespaces of the engine's running containers, shown as `docker: <name>`. */
export function toTopology(obs: ObservedState, netnsNames: Map<NsRef, string>, owned: Set<string>, docker = new Map<NsRef, DockerNs>()): ShownTopology {
  const objs = [...obs.objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const addrs = objs.filter((o): o is AddrObj => o.kind === 'addr');
  const routes = objs.filter((o): o is RouteObj => o.kind === 'route');
  const table = objs.find((o): o is NftTableObj => o.kind === 'nft');
  const networks: ShownTopology['networks'] = {};
  const gateways = new Map<string, string>(); // gateway address -> network (a resolv.conf naming it means dns: true)
  for (const br of objs.filter((o): o is BridgeObj => o.kind === 'bridge')) {
    const net: Record<string, unknown> = { driver: 'bridge', bridge_name: br.name };
    for (const a of addrs.filter((a) => a.ns === br.ns && a.dev === br.name)) {
      gateways.set(a.address, br.key.slice('bridge/'.length));
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
  const dockerHosts = new Map<string, string>(); // container -> the engine's hosts file (its default hosts_file)
  for (const v of objs.filter((o): o is VethObj => o.kind === 'veth' && !!o.peerNs)) {
    const { container: ctr, network } = (v.owner ?? parseKey(v.key)) as { container: string; network: string };
    const d = docker.get(v.peerNs);
    if (d?.hostsPath) dockerHosts.set(ctr, d.hostsPath);
    const c = (containers[ctr] ??= d ? { docker: d.name } : nsFields(v.peerNs, netnsNames, owned));
    const att: Record<string, unknown> = { interface: v.peerName, mac_address: v.peerMac };
    for (const a of addrs.filter((a) => a.ns === v.peerNs && a.dev === v.peerName)) {
      att[a.family === 4 ? 'ipv4_address' : 'ipv6_address'] = a.address;
    }
    att.default_route = routes.some((r) => r.ns === v.peerNs && r.dev === v.peerName && r.dst.endsWith('/0'));
    ((c.networks ??= {}) as Record<string, unknown>)[network] = att;
  }
  // Attachments in interface order (eth0, eth1, ..., eth10): ctnet names interfaces by their place in the
  // list, and the order is what hosts files and resolv.conf list names and servers in.
  for (const c of Object.values(containers)) {
    const atts = c.networks as Record<string, { interface: string }> | undefined;
    if (atts) c.networks = Object.fromEntries(Object.entries(atts).sort(([, x], [, y]) => x.interface.localeCompare(y.interface, 'en', { numeric: true })));
  }
  // Published ports, attributed to the container that has the target address.
  const owner = new Map<string, Holder>();
  for (const v of objs.filter((o): o is VethObj => o.kind === 'veth' && !!o.peerNs)) {
    const { container, network } = (v.owner ?? parseKey(v.key)) as Holder;
    for (const a of addrs.filter((a) => a.ns === v.peerNs && a.dev === v.peerName)) owner.set(a.address, { container, network });
  }
  const families = new Map<string, Set<4 | 6>>(); // container -> the families of the network it publishes through
  for (const [name, c] of Object.entries(containers)) {
    const atts = Object.values((c.networks ?? {}) as Record<string, Record<string, unknown>>);
    const via = atts.find((a) => a.default_route) ?? atts[0];
    families.set(name, new Set([...(via?.ipv4_address ? [4 as const] : []), ...(via?.ipv6_address ? [6 as const] : [])]));
  }
  for (const p of portsOf(table, (addr) => owner.get(addr)?.container, (c) => families.get(c) ?? new Set())) {
    const c = containers[p.container];
    if (c) ((c.ports ??= []) as string[]).push(p.spec);
  }
  addNames(objs.filter((o): o is HostsFileObj => o.kind === 'hosts'), owner, gateways, networks, containers, dockerHosts);
  // Namespaces ctnet created that have no attachment: `network_mode: none` containers.
  for (const o of objs) {
    if (o.kind !== 'netns' || o.shareOf) continue;
    const used = Object.values(containers).some((c) => c.netns === o.name);
    if (!used) containers[o.name] = { netns: o.name, create: true, network_mode: 'none' };
  }
  // Overlay routes (routing: vxlan) come from `hosts` and `routing`, which show cannot say back: left out.
  const peers = peersOf(routes.filter((r) => r.ns === HOST && !r.onlink));
  // ctnet's accepts in Docker's DOCKER-USER chain: the project opted in.
  const fw = objs.some((o) => o.kind === 'fwaccept') ? { firewall: { docker_user: true as const } } : {};
  return { version: 1, ...fw, networks, containers, ...(Object.keys(peers).length ? { peers } : {}) };
}

function nsFields(ns: NsRef, names: Map<NsRef, string>, owned: Set<string>): Record<string, unknown> {
  const name = names.get(ns);
  if (!name) return { netns: ns };
  return owned.has(name) ? { netns: name, create: true } : { netns: name };
}

/** Aliases, links, hosts_file and dns from the blocks ctnet wrote (show/names.ts). */
function addNames(files: HostsFileObj[], owner: Map<string, Holder>, gateways: Map<string, string>,
  networks: ShownTopology['networks'], containers: ShownTopology['containers'], dockerHosts: Map<string, string>): void {
  const n = namesOf(files, (a) => owner.get(a), (a) => gateways.get(a));
  for (const net of n.dnsNetworks) if (networks[net]) networks[net].dns = true;
  for (const [name, c] of Object.entries(containers)) {
    const atts = (c.networks ?? {}) as Record<string, Record<string, unknown>>;
    for (const [net, aliases] of n.aliases.get(name) ?? []) if (atts[net] && aliases.length) atts[net].aliases = aliases;
    const links = n.links.get(name) ?? [];
    if (links.length) c.links = links;
    const path = n.hostsFiles.get(name);
    // The default path needs no words, unless nothing else (links, aliases) asks for the file.
    const fallback = typeof c.netns === 'string' && !c.netns.startsWith('/') ? `/etc/netns/${c.netns}/hosts` : dockerHosts.get(name);
    const wanted = links.length > 0 || [...(n.aliases.get(name)?.values() ?? [])].some((l) => l.length > 0);
    if (path && (path !== fallback || !wanted)) c.hosts_file = path;
  }
}

/** Containers with a ctnet veth whose far end is in no namespace show could read (one given by `pid:` or a
 *  path has no name under /run/netns): show cannot say them back, and applying its output would detach them. */
export function unreadableContainers(obs: ObservedState): string[] {
  const out = new Set<string>();
  for (const o of obs.objects.values()) {
    if (o.kind !== 'veth' || o.ns !== HOST || o.peerNs || !o.key.startsWith('veth/')) continue;
    const c = (o.owner ?? parseKey(o.key)).container;
    if (c) out.add(c);
  }
  return [...out].sort();
}
