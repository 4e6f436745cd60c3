// Rules about subnets and addresses: sizes, overlaps, membership, duplicates, MTU.
import type { Diagnostic } from '../errors.js';
import { contains, containsCidr, formatCidr, isReserved, lastOf, overlaps, parseCidr, parseIp, type Cidr } from '../model/ip.js';
import { attachmentPath, diagAt } from './source.js';
import type { Network, Rule, Topology } from './types.js';


const subnetSize: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const c = n.subnet ? parseCidr(n.subnet) : undefined;
    if (c && c.prefix > 30) {
      out.push(diagAt(t.sources, ['networks', n.name, 'subnet'], `subnet ${n.subnet} is too small for a gateway and containers`,
        'use a prefix of /30 or shorter, e.g. /24'));
    }
    const c6 = n.ipv6Subnet ? parseCidr(n.ipv6Subnet) : undefined;
    if (c6 && c6.prefix > 126) {
      out.push(diagAt(t.sources, ['networks', n.name, 'ipv6_subnet'], `ipv6_subnet ${n.ipv6Subnet} is too small for a gateway and containers`,
        'use a prefix of /126 or shorter, e.g. /64'));
    }
    // A /0 network would be every address there is: the kernel refuses such an interface address.
    for (const [field, cidr] of [['subnet', c], ['ipv6_subnet', c6]] as const) {
      if (cidr && cidr.prefix === 0) {
        out.push(diagAt(t.sources, ['networks', n.name, field], `${field} ${formatCidr(cidr)} covers every address`,
          `give the network its own range, e.g. ${field === 'subnet' ? '10.10.0.0/24' : 'fd00:10::/64'}`));
      }
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
    // An IPv6-only network (ipv6_subnet alone) has no IPv4 side: IPv4 fields there have nothing to belong to.
    for (const field of ['gateway', 'ip_range'] as const) {
      if (!n.subnet && (field === 'gateway' ? n.gateway : n.ipRange)) {
        out.push(diagAt(t.sources, [...at, field], `${field} is set but network "${n.name}" has no IPv4 subnet`,
          `add subnet for an IPv4 (or dual-stack) network, or remove ${field}`));
      }
    }
    const g = n.gateway ? notUsable(n.gateway, n.subnet) : undefined;
    if (g) out.push(diagAt(t.sources, [...at, 'gateway'], g, 'remove `gateway` to use the first usable address of the subnet'));
    const r = n.ipRange ? parseCidr(n.ipRange) : undefined, s = n.subnet ? parseCidr(n.subnet) : undefined;
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
    const m = new Map<string, string>();
    if (n.gateway) m.set(n.gateway, 'the gateway of the network');
    if (n.ipv6Gateway) m.set(n.ipv6Gateway, 'the IPv6 gateway of the network');
    owners.set(n.name, m);
  }
  for (const c of t.containers.values()) {
    for (const a of c.attachments) {
      const n = t.networks.get(a.network);
      // Most attachments have their address allocated: nothing to check, nothing to build.
      if (!n || (!a.ipv4Address && !a.ipv6Address)) continue;
      const at = attachmentPath(c, a);
      if (a.ipv4Address && !n.subnet) {
        out.push(diagAt(t.sources, [...at, 'ipv4_address'], `network "${n.name}" is IPv6-only: it has no IPv4 subnet for ${a.ipv4Address}`,
          `remove ipv4_address (the container gets an address of ipv6_subnet), or add subnet to network "${n.name}"`));
      }
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

/** IPv6 needs links of at least 1280 bytes (RFC 8200): below that Linux removes a device's IPv6. */
export const IPV6_MIN_MTU = 1280;

const mtuRange: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const n of t.networks.values()) {
    const at = ['networks', n.name, 'mtu'];
    if (n.mtu < 68 || n.mtu > 65535) out.push(diagAt(t.sources, at, `mtu ${n.mtu} is out of range`, 'use a value from 68 to 65535 (usually 1500)'));
    else if (n.ipv6Subnet && n.mtu < IPV6_MIN_MTU) {
      out.push(diagAt(t.sources, at, `mtu ${n.mtu} is below ${IPV6_MIN_MTU}, the least IPv6 works with, on a network with ipv6_subnet`,
        `use an mtu of ${IPV6_MIN_MTU} or more, or remove ipv6_subnet`));
    }
  }
  return out;
};

/** MAC addresses a container interface can have: unicast, not all zeros, one per interface on a bridge
 *  (two ports with one MAC make the bridge send each one's traffic to the other). */
const macs: Rule = (t) => {
  const out: Diagnostic[] = [];
  const perNetwork = new Map<string, Map<string, string>>();
  for (const c of t.containers.values()) {
    for (const a of c.attachments) {
      if (!a.macAddress) continue;
      const at = [...attachmentPath(c, a), 'mac_address'];
      const first = parseInt(a.macAddress.slice(0, 2), 16);
      if (first & 1) out.push(diagAt(t.sources, at, `mac_address ${a.macAddress} is a multicast address`, 'use a unicast address: the lowest bit of the first byte clear, e.g. 02:42:…'));
      else if (/^(00:){5}00$/.test(a.macAddress)) out.push(diagAt(t.sources, at, 'mac_address 00:00:00:00:00:00 is not a usable address', 'use a locally administered address such as 02:42:0a:00:00:05'));
      const seen = perNetwork.get(a.network) ?? new Map<string, string>();
      perNetwork.set(a.network, seen);
      const prev = seen.get(a.macAddress);
      if (prev !== undefined) out.push(diagAt(t.sources, at, `mac_address ${a.macAddress} is also given to container "${prev}" on network "${a.network}"`, 'give every interface on a network its own MAC, or remove mac_address to derive one'));
      else seen.set(a.macAddress, c.name);
    }
  }
  return out;
};

export const addressRules: Rule[] = [subnetSize, overlapping, networkAddresses, staticAddresses, mtuRange, macs];
