// Rules about subnets and addresses: sizes, overlaps, membership, duplicates, MTU.
import type { Diagnostic } from '../errors.js';
import { contains, containsCidr, formatCidr, isReserved, lastOf, overlaps, parseCidr, parseIp, type Cidr } from '../model/ip.js';
import { attachmentPath, diagAt } from './source.js';
import type { Network, Rule, Topology } from './types.js';


const subnetSize: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const c = parseCidr(n.subnet);
    if (c && c.prefix > 30) {
      out.push(diagAt(t.sources, ['networks', n.name, 'subnet'], `subnet ${n.subnet} is too small for a gateway and containers`,
        'use a prefix of /30 or shorter, e.g. /24'));
    }
  }
  return out;
};

/** Sorting by start finds every overlapping pair's first witness in O(n log n) (networks can be many). */
const overlapping: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const field of ['subnet', 'ipv6Subnet'] as const) {
    const list = [...t.networks.values()]
      .flatMap((n) => { const c = n[field] ? parseCidr(n[field]!) : undefined; return c ? [{ n, c }] : []; })
      .sort((a, b) => (a.c.base < b.c.base ? -1 : a.c.base > b.c.base ? 1 : 0));
    let widest: { n: Network; c: Cidr } | undefined;
    for (const cur of list) {
      if (widest && overlaps(widest.c, cur.c)) {
        const key = field === 'subnet' ? 'subnet' : 'ipv6_subnet';
        out.push(diagAt(t.sources, ['networks', cur.n.name, key],
          `${key} ${formatCidr(cur.c)} overlaps ${formatCidr(widest.c)} of network "${widest.n.name}"`,
          'give every network its own, non-overlapping range'));
      }
      if (!widest || lastOf(cur.c) > lastOf(widest.c)) widest = cur;
    }
  }
  return out;
};

/** Why `addr` cannot be used as a host address of `subnet`, or undefined. */
function notUsable(addr: string, subnet: string | undefined): string | undefined {
  const c = subnet ? parseCidr(subnet) : undefined;
  const ip = parseIp(addr);
  if (!c || !ip) return undefined;
  if (!contains(c, ip)) return `${addr} is not inside subnet ${subnet}`;
  if (isReserved(c, ip)) return `${addr} is the ${ip.value === c.base ? 'network' : 'broadcast'} address of ${subnet}`;
  return undefined;
}

const networkAddresses: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const at = ['networks', n.name];
    const g = notUsable(n.gateway, n.subnet);
    if (g) out.push(diagAt(t.sources, [...at, 'gateway'], g, 'remove `gateway` to use the first usable address of the subnet'));
    const r = n.ipRange ? parseCidr(n.ipRange) : undefined, s = parseCidr(n.subnet);
    if (r && s && !containsCidr(s, r)) {
      out.push(diagAt(t.sources, [...at, 'ip_range'], `ip_range ${n.ipRange} is not inside subnet ${n.subnet}`,
        'choose a range inside the subnet, or remove ip_range to use the whole subnet'));
    }
    if (n.ipv6Gateway && !n.ipv6Subnet) {
      out.push(diagAt(t.sources, [...at, 'ipv6_gateway'], 'ipv6_gateway is set but the network has no ipv6_subnet', 'add ipv6_subnet'));
    } else if (n.ipv6Gateway) {
      const g6 = notUsable(n.ipv6Gateway, n.ipv6Subnet);
      if (g6) out.push(diagAt(t.sources, [...at, 'ipv6_gateway'], g6, 'remove `ipv6_gateway` to use the first address of ipv6_subnet'));
    }
  }
  return out;
};

const staticAddresses: Rule = (t) => {
  const out: Diagnostic[] = [];
  // network -> address -> who has it ("the gateway" or container "x")
  const owners = new Map<string, Map<string, string>>();
  for (const n of t.networks.values()) {
    const m = new Map([[n.gateway, 'the gateway of the network']]);
    if (n.ipv6Gateway) m.set(n.ipv6Gateway, 'the IPv6 gateway of the network');
    owners.set(n.name, m);
  }
  for (const c of t.containers.values()) {
    for (const a of c.attachments) {
      const n = t.networks.get(a.network);
      if (!n) continue;
      const at = attachmentPath(c, a);
      if (a.ipv6Address && !n.ipv6Subnet) {
        out.push(diagAt(t.sources, [...at, 'ipv6_address'], `network "${n.name}" has no ipv6_subnet for ${a.ipv6Address}`,
          `add ipv6_subnet to network "${n.name}", or remove ipv6_address`));
      }
      for (const [field, addr, subnet] of [['ipv4_address', a.ipv4Address, n.subnet], ['ipv6_address', a.ipv6Address, n.ipv6Subnet]] as const) {
        if (!addr || !subnet) continue;
        const bad = notUsable(addr, subnet);
        if (bad) { out.push(diagAt(t.sources, [...at, field], bad, 'choose an address inside the subnet, or remove it to allocate one')); continue; }
        const m = owners.get(n.name)!;
        const prev = m.get(addr);
        if (prev !== undefined) {
          out.push(diagAt(t.sources, [...at, field], `${addr} is already used by ${prev}`, 'give every attachment its own address'));
        } else m.set(addr, `container "${c.name}"`);
      }
    }
  }
  return out;
};

const mtuRange: Rule = (t) =>
  [...t.networks.values()].filter((n) => n.mtu < 68 || n.mtu > 65535).map((n) =>
    diagAt(t.sources, ['networks', n.name, 'mtu'], `mtu ${n.mtu} is out of range`, 'use a value from 68 to 65535 (usually 1500)'));

export const addressRules: Rule[] = [subnetSize, overlapping, networkAddresses, staticAddresses, mtuRange];
