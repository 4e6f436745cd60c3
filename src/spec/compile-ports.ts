// Pure: the topology's `ports` -> one Mapping per published port. Ranges are
// expanded (one map element each). A port without a host side ("80") gets a host
// port from 32768-60999 (Linux's default ephemeral range, as Docker's -P does).
// There is no state file: the port ctnet chose before is read back from the
// observed table (the element that already points at this container address and
// port), so it stays stable across re-applies; new ones take the lowest free port.
import type { Container, Port, Topology } from './types.js';
import type { Mapping, Ruleset } from '../model/nft.js';
import { decodePorts } from '../nft/codec.js';
import { isAnyAddress } from '../model/ip.js';

export const AUTO_FIRST = 32768;
export const AUTO_LAST = 60999;

export interface AddressOf { (container: string, network: string): { ipv4?: string; ipv6?: string } }

/** The attachment a container publishes through: its default-route network, else its first. */
export function publishVia(c: Container) {
  return c.attachments.find((a) => a.defaultRoute) ?? c.attachments[0];
}

/** "proto|hostIp|addr|port" -> host port, from the observed maps. */
function previousPorts(prev: Ruleset | null): Map<string, number> {
  return new Map(decodePorts(prev).map((e) => [`${e.proto}|${e.hostIp ?? ''}|${e.addr}|${e.port}`, e.hostPort]));
}

export function mappingsOf(t: Topology, addressOf: AddressOf, prev: Ruleset | null): Mapping[] {
  const out: Mapping[] = [];
  const auto: { c: string; p: Port; addrs: [4 | 6, string][]; target: number }[] = [];
  const taken = new Set<string>();    // "proto/port" taken by any explicit mapping
  const containers = [...t.containers.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const c of containers) {
    if (c.networkMode !== 'bridge' || !c.ports.length) continue;
    const via = publishVia(c);
    if (!via || !t.networks.has(via.network)) continue;
    const got = addressOf(c.name, via.network);
    for (const p of c.ports) {
      const v6 = p.hostIp?.includes(':');
      const addrs: [4 | 6, string][] = [];
      if (got.ipv4 && v6 !== true) addrs.push([4, got.ipv4]);
      if (got.ipv6 && (v6 === true || p.hostIp === undefined)) addrs.push([6, got.ipv6]);
      for (let i = 0; i <= p.target[1] - p.target[0]; i++) {
        const target = p.target[0] + i;
        if (!p.published) { auto.push({ c: c.name, p, addrs, target }); continue; }
        const hostPort = p.published[0] + i;
        taken.add(`${p.protocol}/${hostPort}`);
        for (const [family, addr] of addrs) out.push(mapping(family, p, hostPort, addr, target, c.name));
      }
    }
  }
  // Read only where a port has no host side: decoding 1000 published ports is a few ms of every plan.
  const previous = auto.length > 0 ? previousPorts(prev) : new Map<string, number>();
  const chosen = new Map<number, number>();
  // First keep what was chosen before, then fill the rest lowest-first.
  auto.forEach((a, i) => {
    const addr = a.addrs[0]?.[1];
    const old = previous.get(`${a.p.protocol}|${a.p.hostIp ?? ''}|${addr}|${a.target}`);
    if (old !== undefined && !taken.has(`${a.p.protocol}/${old}`)) { chosen.set(i, old); taken.add(`${a.p.protocol}/${old}`); }
  });
  let next = AUTO_FIRST;
  auto.forEach((a, i) => {
    if (chosen.has(i)) return;
    while (next <= AUTO_LAST && taken.has(`${a.p.protocol}/${next}`)) next++;
    if (next > AUTO_LAST) return; // exhausted: nothing sensible to publish
    chosen.set(i, next);
    taken.add(`${a.p.protocol}/${next}`);
  });
  auto.forEach((a, i) => {
    const hostPort = chosen.get(i);
    if (hostPort !== undefined) for (const [family, addr] of a.addrs) out.push(mapping(family, a.p, hostPort, addr, a.target, a.c));
  });
  return out;
}

function mapping(family: 4 | 6, p: Port, hostPort: number, addr: string, port: number, container: string): Mapping {
  const m: Mapping = { family, proto: p.protocol, hostPort, addr, port, container };
  // 0.0.0.0 and :: mean every host address, as in Docker.
  if (!isAnyAddress(p.hostIp)) m.hostIp = p.hostIp;
  return m;
}
