// Pure: addresses and main-table routes of one dump -> AddrObj / RouteObj (marked
// with protocol 0xc7) or foreign entries (kernel side effects are dropped).
import type { NsDump } from '../kernel/port.js';
import { addrKey, DEFAULT_PROJECT, labelOwned, parseAlias, routeKey } from '../model/keys.js';
import { HOST, type AddrObj, type ForeignObj, type OwnedObj, type RouteObj } from '../model/state.js';
import { isNoiseAddr, isNoiseRoute, isOwnedAddr, isOwnedRoute } from './ownership.js';

/** `project`: whose objects are owned. An owned address belongs to the project of the link it is on
 *  (addresses have no room for one), an owned host route to the project its record names (`routes`,
 *  dst -> project; none: `default`); routes of a container namespace to that container's project. */
export function convertAddrsRoutes(
  dump: NsDump, label: string | undefined, project = DEFAULT_PROJECT, routes: ReadonlyMap<string, string> = new Map(),
): { objects: OwnedObj[]; foreign: ForeignObj[] } {
  const objects: OwnedObj[] = [];
  const foreign: ForeignObj[] = [];
  const names = new Map(dump.links.map((l) => [l.index, l.name]));
  const linkProject = new Map(dump.links.map((l) => [l.index, parseAlias(l.alias)?.project]));
  for (const a of dump.addrs) {
    const dev = names.get(a.index);
    if (dev === undefined) continue; // raced with a link delete between the two dumps
    const other = isOwnedAddr(a) ? linkProject.get(a.index) : undefined;
    if (other !== undefined && other !== project) {
      foreign.push({ kind: 'addr', ns: dump.ns, dev, family: a.family, address: a.address, prefix: a.prefix, project: other });
    } else if (isOwnedAddr(a) && label !== undefined) {
      const obj: AddrObj = {
        kind: 'addr', key: addrKey(label, dev, a.address, a.prefix), ns: dump.ns, dev,
        family: a.family, address: a.address, prefix: a.prefix,
      };
      objects.push(labelOwned(obj, label));
    } else if (dev !== 'lo' && !isNoiseAddr(a)) {
      foreign.push({ kind: 'addr', ns: dump.ns, dev, family: a.family, address: a.address, prefix: a.prefix });
    }
  }
  for (const r of dump.routes) {
    if (r.table !== 254) continue;
    const dev = r.oif === undefined ? undefined : names.get(r.oif);
    const other = isOwnedRoute(r) && dump.ns === HOST ? routes.get(r.dst) ?? DEFAULT_PROJECT : project;
    if (other !== project) {
      const f: ForeignObj = { kind: 'route', ns: dump.ns, family: r.family, dst: r.dst, protocol: r.protocol, project: other };
      if (r.gateway !== undefined) f.via = r.gateway;
      if (dev !== undefined) f.dev = dev;
      foreign.push(f);
    } else if (isOwnedRoute(r) && label !== undefined) {
      const obj: RouteObj = { kind: 'route', key: routeKey(label, r.dst), ns: dump.ns, family: r.family, dst: r.dst };
      if (r.gateway !== undefined) obj.via = r.gateway;
      if (dev !== undefined) obj.dev = dev;
      if (r.metric !== undefined) obj.metric = r.metric;
      if (r.onlink) obj.onlink = true;
      objects.push(labelOwned(obj, label));
    } else if (!isNoiseRoute(r)) {
      const f: ForeignObj = { kind: 'route', ns: dump.ns, family: r.family, dst: r.dst, protocol: r.protocol };
      if (r.gateway !== undefined) f.via = r.gateway;
      if (dev !== undefined) f.dev = dev;
      foreign.push(f);
    }
  }
  return { objects, foreign };
}
