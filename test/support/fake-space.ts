// The fake kernel's state: one FNs per network namespace (two names of one namespace share it), with
// the kernel behaviours the planner relies on (connected routes, gateways that must be reachable, a
// bridge's MTU following its ports).
import { KernelError } from '../../src/errors.js';
import { ipBytes, ipText, parseCidr } from '../../src/kernel/inet.js';
import type { RawAddr, RawLink, RawRoute } from '../../src/kernel/port.js';

export interface FLink extends RawLink { peer?: { ns: FNs; index: number }; mtuSetByUser?: boolean }
export interface FRoute extends RawRoute { metric: number }
let nsIds = 0;
export class FNs {
  /** The namespace's identity: two names (a share) are one FNs. */
  readonly id = String(++nsIds);
  links: FLink[] = [{ index: 1, name: 'lo', mtu: 65536, mac: '00:00:00:00:00:00', up: false }];
  addrs: RawAddr[] = [];
  routes: FRoute[] = [];
  sysctls = new Map<string, string>();
  nextIndex = 2;
}

export const fail = (action: string, errno: string, detail: string) => new KernelError(action, errno, detail);
export const RTPROT_KERNEL = 2;
export const RTPROT_STATIC = 4;

/** Network part of address/prefix in canonical text ("10.1.2.3", 16 -> "10.1.0.0"). */
export function network(address: string, prefix: number): string {
  const b = ipBytes(address);
  for (let bit = prefix; bit < b.length * 8; bit++) b[bit >> 3] &= ~(0x80 >> (bit & 7));
  return ipText(b);
}
const contains = (net: string, prefix: number, ip: string) =>
  ipBytes(net).length === ipBytes(ip).length && network(ip, prefix) === network(net, prefix);


export function linkOf(space: FNs, name: string, action: string): FLink {
  const l = space.links.find((x) => x.name === name);
  if (!l) throw fail(`${action}: no link "${name}"`, 'ENODEV', 'No such device');
  return l;
}

export function putAddr(space: FNs, dev: string, address: string, prefix: number, protocol: number): void {
  const what = `add address ${address}/${prefix} to "${dev}"`;
  const link = linkOf(space, dev, what);
  if (space.addrs.some((a) => a.index === link.index && a.address === address && a.prefix === prefix)) throw fail(what, 'EEXIST', 'File exists');
  const family = address.includes(':') ? 6 : 4;
  space.addrs.push({ index: link.index, family, address, prefix, protocol, scope: 0 });
  // The kernel adds the connected prefix route by itself (proto kernel).
  const dst = `${network(address, prefix)}/${prefix}`;
  if (prefix < (family === 4 ? 32 : 128) && !space.routes.some((r) => r.dst === dst && r.oif === link.index)) {
    space.routes.push({ family, table: 254, dst, oif: link.index, protocol: RTPROT_KERNEL, metric: family === 6 ? 256 : 0, type: 'UNICAST' });
  }
}

export function putRoute(space: FNs, dst: string, via: string | undefined, dev: string | undefined, metricIn: number | undefined, protocol: number): void {
  const family = dst.includes(':') ? 6 : 4;
  const what = `replace route ${dst}`;
  let oif = dev === undefined ? undefined : linkOf(space, dev, what).index;
  if (via !== undefined) {
    // The gateway must be on a connected subnet (of `dev`, if given).
    const onLink = space.addrs.find((a) => (oif === undefined || a.index === oif) && contains(a.address, a.prefix, via));
    if (!onLink) throw fail(what, 'ENETUNREACH', 'Network is unreachable');
    oif ??= onLink.index;
  }
  const metric = metricIn ?? (family === 6 ? 1024 : 0);
  const route: FRoute = { family, table: 254, dst: canonicalCidr(dst), protocol, metric, type: 'UNICAST' };
  if (via !== undefined) route.gateway = via;
  if (oif !== undefined) route.oif = oif;
  // REPLACE is keyed by (dst, table, tos, metric), not by protocol (KERNEL-FACTS A3).
  const i = space.routes.findIndex((r) => r.dst === route.dst && r.metric === metric);
  if (i >= 0) space.routes[i] = route;
  else space.routes.push(route);
}

function canonicalCidr(cidr: string): string {
  const { addr, len } = parseCidr(cidr);
  return `${ipText(addr)}/${len}`;
}

/** As Linux (br_mtu_auto_adjust): a bridge whose MTU was never set after creation follows the smallest MTU
 *  of its ports, and 1500 without ports, whenever one of its ports is added, removed or changes its MTU. */
export function adjustBridgeMtu(space: FNs, bridges: (number | undefined)[]): void {
  for (const br of space.links) {
    if (br.kind !== 'bridge' || br.mtuSetByUser || !bridges.includes(br.index)) continue;
    const ports = space.links.filter((l) => l.master === br.index).map((l) => l.mtu);
    br.mtu = ports.length ? Math.min(...ports) : 1500;
  }
}
