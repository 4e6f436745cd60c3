// Routes from this host to other hosts' container subnets (issue 6): explicit
// `peers` (the seeds' `route add -net 172.18.0.0/16 gw 192.168.100.201`), and,
// in a multi-host topology, one route per network of every other host via that
// host's address (flannel's host-gw, derived from one file instead of a
// datastore). All are owned routes in the host namespace (proto 199), so a
// changed next hop is replaced in place and a removed peer or host is collected.
import { routeKey, vxlanKey, vxlanName } from '../model/keys.js';
import { HOST, type ObservedState, type RouteObj, type SourceRef, type VxlanObj } from '../model/state.js';
import { lazyRef } from './source.js';
import { contains, parseCidr, parseIp, formatCidr } from '../model/ip.js';
import type { Topology } from './types.js';

export interface RouteWithSource { obj: RouteObj; src?: SourceRef }

/** The MTU of the device that holds `address` in the host namespace (the overlay's underlay), if seen. */
function underlayMtu(observed: ObservedState | undefined, address: string): number | undefined {
  const dev = observed?.foreign.find((f) => f.kind === 'addr' && f.ns === HOST && f.address === address);
  if (dev?.kind !== 'addr') return undefined;
  const link = observed!.foreign.find((f) => f.kind === 'link' && f.ns === HOST && f.name === dev.dev);
  return link?.kind === 'link' ? link.mtu : undefined;
}

/** True when `address` is inside a subnet of an address of the host namespace: a directly connected host. */
function connected(observed: ObservedState | undefined, address: string): boolean {
  const ip = parseIp(address);
  if (!ip || !observed) return false;
  return observed.foreign.some((f) => {
    if (f.kind !== 'addr' || f.ns !== HOST || f.family !== ip.family) return false;
    const c = parseCidr(`${f.address}/${f.prefix}`);
    return c !== undefined && contains(c, ip);
  });
}

/** The overlay endpoint MAC of a host: 02:c7 + its IPv4 address, so every host computes every other's. */
export const vtepMac = (address: string) => `02:c7:${address.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}`;

/** `self` is the host being applied (undefined: single-host topology, no derived routes). `observed` decides
 *  `routing: auto` (which hosts are directly connected) and the overlay's MTU (its underlay device's). */
export function compileRoutes(t: Topology, self: string | undefined, observed?: ObservedState): { routes: RouteWithSource[]; overlay?: { obj: VxlanObj; src?: SourceRef } } {
  const out: RouteWithSource[] = [];
  const route = (dst: string, via: string, dev: string | undefined, src: SourceRef | undefined, onlink = false) => {
    const c = parseCidr(dst);
    if (!c) return;
    const canon = formatCidr(c);
    const obj: RouteObj = { kind: 'route', key: routeKey('host', canon), ns: HOST, family: c.family, dst: canon, via };
    if (dev) obj.dev = dev;
    if (onlink) obj.onlink = true;
    out.push({ obj, src });
  };
  for (const p of t.peers.values()) {
    p.subnets.forEach((s, i) => route(s, p.via, p.dev, lazyRef(t.sources, ['peers', p.name, 'subnets', i], () => p.src)));
  }
  const me = self !== undefined ? t.hosts.get(self) : undefined;
  const { mode, vni, port } = t.routing;
  const overlayName = vxlanName(vni);
  const remotes = new Map<string, string>(); // remote host address -> its endpoint MAC
  if (self !== undefined) {
    for (const n of t.networks.values()) {
      if (n.host === undefined || n.host === self) continue;
      const h = t.hosts.get(n.host);
      if (!h) continue; // unknown host: a rule reports it
      const via = parseIp(h.address);
      // host-gw to a directly connected host (always in host-gw mode, decided from the kernel in auto mode);
      // through the overlay otherwise. The overlay carries IPv4 subnets (its entries are IPv4 neighbours).
      const direct = mode === 'host-gw' || (mode === 'auto' && connected(observed, h.address)) || !me;
      for (const s of [n.subnet, n.ipv6Subnet]) {
        const c = s ? parseCidr(s) : undefined;
        if (!c || !via || c.family !== via.family) continue;
        if (direct) route(s!, h.address, undefined, n.src);
        else if (c.family === 4) {
          route(s!, h.address, overlayName, n.src, true);
          remotes.set(h.address, vtepMac(h.address));
        }
      }
    }
  }
  // vxlan mode keeps its device even with no remote network yet (a host that joins finds it there); auto makes
  // one only when some host needs it.
  if (!me || mode === 'host-gw' || (mode === 'auto' && remotes.size === 0) || parseIp(me.address)?.family !== 4) return { routes: out };
  const sorted = [...remotes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const obj: VxlanObj = {
    kind: 'vxlan', key: vxlanKey(vni), ns: HOST, name: overlayName, vni, port, local: me.address,
    // 50 bytes of outer Ethernet, IPv4, UDP and VXLAN headers: the inner packet must fit the underlay's MTU.
    mtu: (underlayMtu(observed, me.address) ?? 1500) - 50,
    mac: vtepMac(me.address), up: true,
    fdb: sorted.map(([dst, mac]) => ({ mac, dst })),
    neigh: sorted.map(([ip, mac]) => ({ ip, mac })),
  };
  return { routes: out, overlay: { obj, src: lazyRef(t.sources, ['routing'], () => me.src) } };
}
