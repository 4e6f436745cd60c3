// Rules of multi-host topologies and peers: a host's address must not fall inside
// a container subnet (its route would point into a bridge), two hosts may not
// share an address, and a peer's next hop may not be a container address.
import type { Diagnostic } from '../errors.js';
import { contains, lastOf, parseCidr, parseIp } from '../model/ip.js';
import { diagAt } from './source.js';
import type { Rule, Topology } from './types.js';

function subnetsOf(t: Topology): { name: string; cidr: NonNullable<ReturnType<typeof parseCidr>> }[] {
  const out = [];
  for (const n of t.networks.values()) {
    for (const s of [n.subnet, n.ipv6Subnet]) {
      const c = s ? parseCidr(s) : undefined;
      if (c) out.push({ name: n.name, cidr: c });
    }
  }
  return out;
}

/** The first subnet containing an address, by binary search over subnets sorted by start with the running
 *  maximum of their ends (a fleet file has hundreds of hosts and networks: not hosts x networks). */
function subnetIndex(nets: ReturnType<typeof subnetsOf>): (ip: { family: 4 | 6; value: bigint }) => { name: string } | undefined {
  const byFamily = new Map<number, { n: (typeof nets)[number]; last: bigint; maxLast: bigint }[]>();
  for (const f of [4, 6]) {
    const list = nets.filter((n) => n.cidr.family === f).map((n) => ({ n, last: lastOf(n.cidr), maxLast: 0n }))
      .sort((a, b) => (a.n.cidr.base < b.n.cidr.base ? -1 : a.n.cidr.base > b.n.cidr.base ? 1 : 0));
    let max = -1n;
    for (const e of list) { if (e.last > max) max = e.last; e.maxLast = max; }
    byFamily.set(f, list);
  }
  return (ip) => {
    const list = byFamily.get(ip.family) ?? [];
    let lo = 0, hi = list.length - 1, j = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (list[mid].n.cidr.base <= ip.value) { j = mid; lo = mid + 1; } else hi = mid - 1; }
    for (let i = j; i >= 0 && list[i].maxLast >= ip.value; i--) if (list[i].last >= ip.value) return list[i].n;
    return undefined;
  };
}

const hostAddresses: Rule = (t) => {
  const out: Diagnostic[] = [];
  const inSubnet = subnetIndex(subnetsOf(t));
  const seen = new Map<string, string>();
  for (const h of t.hosts.values()) {
    const ip = parseIp(h.address);
    if (!ip) continue; // the schema reports a malformed address
    const inside = inSubnet(ip);
    if (inside) {
      out.push(diagAt(t.sources, ['hosts', h.name, 'address'], `${h.address} is inside subnet of network "${inside.name}"`,
        "use the host's address on the network that connects the hosts, outside every container subnet"));
    }
    const prev = seen.get(h.address);
    if (prev) out.push(diagAt(t.sources, ['hosts', h.name, 'address'], `${h.address} is also the address of host "${prev}"`, 'give every host its own address'));
    else seen.set(h.address, h.name);
  }
  return out;
};

const peerNextHops: Rule = (t) => {
  const out: Diagnostic[] = [];
  const nets = subnetsOf(t);
  for (const p of t.peers.values()) {
    const ip = parseIp(p.via);
    const inside = ip && nets.find((n) => contains(n.cidr, ip));
    if (inside) {
      out.push(diagAt(t.sources, ['peers', p.name, 'via'], `next hop ${p.via} is inside subnet of network "${inside.name}"`,
        'the next hop is the other host, on a network directly connected to this one'));
    }
  }
  return out;
};

/** Other hosts reach a network's subnets through a route via its host's address, which needs a next hop
 *  of the subnet's own family: an IPv6-only network on a host with an IPv4 address would get no route. */
const routableNetworks: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const h = n.host !== undefined ? t.hosts.get(n.host) : undefined;
    const via = h ? parseIp(h.address) : undefined;
    if (!h || !via || n.subnet) continue;
    if (n.ipv6Subnet && via.family === 4) {
      out.push(diagAt(t.sources, ['networks', n.name, 'host'], `network "${n.name}" is IPv6-only but host "${h.name}" has an IPv4 address (${h.address}): the other hosts get no route to ${n.ipv6Subnet}`,
        `give host "${h.name}" its IPv6 address, or add an IPv4 subnet to the network`, 'warning'));
    }
  }
  return out;
};


/** `routing: vxlan|auto` needs hosts to build an overlay between, each with an IPv4 underlay address
 *  (the overlay's endpoints; IPv6 underlays are not built yet). */
const overlay: Rule = (t) => {
  const out: Diagnostic[] = [];
  if (t.routing.mode === 'host-gw') return out;
  if (t.hosts.size < 2) {
    out.push(diagAt(t.sources, ['routing', 'mode'], `routing mode ${t.routing.mode} needs at least two hosts, the file lists ${t.hosts.size}`,
      'list every host under `hosts` with its address, or remove `routing`'));
  }
  for (const h of t.hosts.values()) {
    if (parseIp(h.address)?.family === 6) {
      out.push(diagAt(t.sources, ['hosts', h.name, 'address'], `host "${h.name}" has an IPv6 address (${h.address}): the VXLAN overlay runs over IPv4 host addresses only`,
        'give the host its IPv4 address, or use routing mode host-gw'));
    }
  }
  return out;
};

export const hostRules: Rule[] = [hostAddresses, peerNextHops, routableNetworks, overlay];

/** At plan time: the address the file gives this host should be one of its own. Otherwise the other hosts
 *  route (or tunnel) to an address that is not this machine: a typo, or `--host` naming another host. A
 *  warning, since an address may be added after ctnet runs (a VIP, DHCP late). `addresses`: the host
 *  namespace's addresses, as read. */
export function selfAddressWarnings(t: Topology, host: string | undefined, addresses: string[]): Diagnostic[] {
  const h = host !== undefined ? t.hosts.get(host) : undefined;
  if (!h || addresses.includes(h.address)) return [];
  return [diagAt(t.sources, ['hosts', h.name, 'address'], `host "${h.name}" has address ${h.address} in the file, but this machine has no such address`,
    `check hosts.${h.name}.address, or pass the --host this machine is (its addresses: ${addresses.filter((a) => !a.startsWith('127.') && a !== '::1' && !a.startsWith('fe80:')).join(', ') || 'none'})`, 'warning')];
}
