// Routes from this host to other hosts' container subnets (issue 6): explicit
// `peers` (the seeds' `route add -net 172.18.0.0/16 gw 192.168.100.201`), and,
// in a multi-host topology, one route per network of every other host via that
// host's address (flannel's host-gw, derived from one file instead of a
// datastore). All are owned routes in the host namespace (proto 199), so a
// changed next hop is replaced in place and a removed peer or host is collected.
import { routeKey } from '../model/keys.js';
import { HOST, type RouteObj, type SourceRef } from '../model/state.js';
import { lazyRef } from './source.js';
import { parseCidr, parseIp, formatCidr } from '../model/ip.js';
import type { Topology } from './types.js';

export interface RouteWithSource { obj: RouteObj; src?: SourceRef }

/** `self` is the host being applied (undefined: single-host topology, no derived routes). */
export function compileRoutes(t: Topology, self: string | undefined): RouteWithSource[] {
  const out: RouteWithSource[] = [];
  const route = (dst: string, via: string, dev: string | undefined, src: SourceRef | undefined) => {
    const c = parseCidr(dst);
    if (!c) return;
    const canon = formatCidr(c);
    const obj: RouteObj = { kind: 'route', key: routeKey('host', canon), ns: HOST, family: c.family, dst: canon, via };
    if (dev) obj.dev = dev;
    out.push({ obj, src });
  };
  for (const p of t.peers.values()) {
    p.subnets.forEach((s, i) => route(s, p.via, p.dev, lazyRef(t.sources, ['peers', p.name, 'subnets', i], () => p.src)));
  }
  if (self !== undefined) {
    for (const n of t.networks.values()) {
      if (n.host === undefined || n.host === self) continue;
      const h = t.hosts.get(n.host);
      if (!h) continue; // unknown host: a rule reports it
      const via = parseIp(h.address);
      // A route needs a next hop of its own family: v4 subnets via a v4 host address, v6 via v6.
      for (const s of [n.subnet, n.ipv6Subnet]) {
        const c = s ? parseCidr(s) : undefined;
        if (c && via && c.family === via.family) route(s!, h.address, undefined, n.src);
      }
    }
  }
  return out;
}
