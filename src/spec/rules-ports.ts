// Rules about published ports and peers (the cheap, local ones; the host-side
// checks, e.g. a port already bound by another program, belong to plan time).
import type { Diagnostic } from '../errors.js';
import { formatCidr, isAnyAddress, overlaps, parseCidr, parseIp } from '../model/ip.js';
import { publishVia } from './compile-ports.js';
import { diagAt } from './source.js';
import type { Port, Rule, Topology } from './types.js';


const len = (r: [number, number]) => r[1] - r[0] + 1;
const text = (r: [number, number]) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);
const badRange = (r: [number, number]) => r[0] < 1 || r[1] > 65535 || r[0] > r[1];

const portShapes: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const c of t.containers.values()) {
    for (const p of c.ports) {
      const at = ['containers', c.name, 'ports', p.index];
      for (const r of [p.target, p.published]) {
        if (r && badRange(r)) out.push(diagAt(t.sources, at, `port range ${text(r)} is invalid`, 'ports are 1-65535, ranges are low-high'));
      }
      if (p.hostIp !== undefined && !parseIp(p.hostIp)) {
        out.push(diagAt(t.sources, at, `host address "${p.hostIp}" is not an IP address`, 'write "IP:HOST_PORT:PORT", e.g. "127.0.0.1:8080:80" or "[2001:db8::1]:8080:80"'));
      } else if (p.hostIp === '::1') {
        // Linux has no route_localnet for IPv6: a packet from ::1 DNATed to a container is dropped as a martian,
        // so the port would never answer. Docker answers there with its userland proxy; ctnet has none.
        out.push(diagAt(t.sources, at, 'a port cannot be published on [::1]: Linux routes no IPv6 loopback traffic to a container (there is no route_localnet for IPv6)',
          'publish on 127.0.0.1 for the host only, or on the host\'s IPv6 address (or every address, without an IP)'));
      }
      const fam = p.hostIp !== undefined ? parseIp(p.hostIp)?.family : undefined; // 0.0.0.0 is every IPv4 address, :: every IPv6 one
      const via = publishVia(c), net = via && t.networks.get(via.network);
      if (fam && net && !(fam === 4 ? net.subnet : net.ipv6Subnet)) {
        // The container has no address of that family to forward to: the port would silently answer nothing.
        out.push(diagAt(t.sources, at, `host address ${p.hostIp} is IPv${fam}, but network "${net.name}" (which container "${c.name}" publishes through) has no ${fam === 4 ? 'IPv4 subnet' : 'ipv6_subnet'}`,
          fam === 4 ? 'publish on an IPv6 host address, or on every address (no IP)' : 'publish on an IPv4 host address, or add ipv6_subnet to the network'));
      }
      if (p.published && len(p.published) !== len(p.target)) {
        out.push(diagAt(t.sources, at, `published range ${text(p.published)} and target range ${text(p.target)} differ in length`,
          'use ranges of equal length, e.g. "9000-9002:9000-9002"'));
      }
    }
  }
  return out;
};

/** Two published ports clash when protocol and port match and either binds every address or both bind the same. */
const hostPortConflicts: Rule = (t) => {
  const out: Diagnostic[] = [];
  const taken = new Map<string, { who: string; ip?: string }[]>(); // "tcp/8080" -> bindings
  for (const c of t.containers.values()) {
    for (const p of c.ports as Port[]) {
      if (!p.published || badRange(p.published)) continue;
      for (let port = p.published[0]; port <= p.published[1]; port++) {
        const k = `${p.protocol}/${port}`;
        const list = taken.get(k) ?? [];
        const clash = list.find((b) => isAnyAddress(b.ip) || isAnyAddress(p.hostIp) || b.ip === p.hostIp);
        if (clash) {
          out.push(diagAt(t.sources, ['containers', c.name, 'ports', p.index],
            `host port ${port}/${p.protocol} is already published by ${clash.who}`, 'publish a different host port, or bind another host_ip'));
          break;
        }
        list.push({ who: `container "${c.name}"`, ip: p.hostIp });
        taken.set(k, list);
      }
    }
  }
  return out;
};

const peerSubnets: Rule = (t) => {
  const out: Diagnostic[] = [];
  for (const peer of t.peers.values()) {
    peer.subnets.forEach((s, i) => {
      const pc = parseCidr(s);
      if (!pc) return;
      for (const n of t.networks.values()) {
        for (const own of [n.subnet, n.ipv6Subnet]) {
          const oc = own ? parseCidr(own) : undefined;
          if (oc && overlaps(pc, oc)) {
            out.push(diagAt(t.sources, ['peers', peer.name, 'subnets', i], `${s} overlaps ${formatCidr(oc)} of network "${n.name}"`,
              'a peer subnet must not overlap a local network; fix one of them'));
          }
        }
      }
    });
  }
  return out;
};

export const portRules: Rule[] = [portShapes, hostPortConflicts, peerSubnets];
