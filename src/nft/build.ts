// Pure: networks + published ports -> ctnet's whole table. One table, four base
// chains, and DNAT through maps keyed by `l4proto . dport` (wildcard host address)
// or `daddr . l4proto . dport` (one host address), so 10 000 published ports are
// a handful of rules plus map elements (KERNEL-FACTS C3: 29 ms for 1000).
//
// The forward chain has policy accept: the host's other forwarded traffic is not
// ctnet's to judge. It only ever drops traffic *into* or *out of* ctnet's bridges.
// Same-bridge traffic is seen here only when br_netfilter passes bridged frames to
// inet hooks (bridge-nf-call-iptables=1); that is why icc:false asks for that sysctl.
import * as x from './expr.js';
import type { ChainSpec, Expr, FwNetwork, MapSpec, Mapping, RuleSpec, Ruleset } from './types.js';

const CHAINS: ChainSpec[] = [
  { name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' },
  { name: 'output', type: 'nat', hook: 'output', prio: -100, policy: 'accept' },
  { name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
  { name: 'prerouting', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' },
];
const LOOPBACK: Record<4 | 6, string> = { 4: '127.0.0.0/8', 6: '::1/128' };
const addrType = (f: 4 | 6) => (f === 4 ? 'ipv4_addr' : 'ipv6_addr');

export function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1');
}

function maps(mappings: Mapping[]): MapSpec[] {
  const out: MapSpec[] = [];
  for (const f of [4, 6] as const) {
    const mine = mappings.filter((m) => m.family === f);
    const wild = mine.filter((m) => m.hostIp === undefined);
    const one = mine.filter((m) => m.hostIp !== undefined);
    const wkey = (m: Mapping) => ({ concat: [m.proto, m.hostPort] });
    const skey = (m: Mapping) => ({ concat: [m.hostIp, m.proto, m.hostPort] });
    // Unsorted here: normalise() sorts the elements once.
    const mk = (name: string, type: string[], data: string, list: Mapping[], key: (m: Mapping) => unknown, val: (m: Mapping) => unknown): MapSpec =>
      ({ name, type, map: data, elem: list.map((m) => [key(m), val(m)] as [unknown, unknown]) });
    out.push(
      mk(`pa${f}`, ['inet_proto', 'inet_service'], addrType(f), wild, wkey, (m) => m.addr),
      mk(`pp${f}`, ['inet_proto', 'inet_service'], 'inet_service', wild, wkey, (m) => m.port),
      mk(`sa${f}`, [addrType(f), 'inet_proto', 'inet_service'], addrType(f), one, skey, (m) => m.addr),
      mk(`sp${f}`, [addrType(f), 'inet_proto', 'inet_service'], 'inet_service', one, skey, (m) => m.port),
    );
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const familyOf = (cidr: string): 4 | 6 => (cidr.includes(':') ? 6 : 4);

function natRules(families: (4 | 6)[], localhostBridges: string[], nets: FwNetwork[], remotes: string[]): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const rule = (chain: string, comment: string, ...expr: Expr[]) => rules.push({ chain, comment: `ctnet:${comment}`, expr });
  // Container subnets of peers and other hosts are reached with the containers' own
  // addresses (routed, like flannel's host-gw), so the other side can answer and filter
  // by them: no masquerade toward them. These come before the masquerade rules.
  for (const r of remotes) rule('postrouting', `no masquerade to peer subnet ${r}`, x.daddr(familyOf(r), r), x.ret);
  for (const f of families) {
    // moby#45610: without this, a packet from the LAN addressed to 127.0.0.1 would be DNATed
    // to a loopback-only published port before routing could drop it as a martian.
    rule('prerouting', `loopback-only ports are not reachable from outside (ipv${f})`, x.daddr(f, LOOPBACK[f]), x.ret);
    rule('prerouting', `publish on one host address (ipv${f})`, x.dnatVia(f, `sa${f}`, `sp${f}`, true));
    rule('prerouting', `publish on every host address (ipv${f})`, x.fibLocal, x.match(x.meta('nfproto'), `ipv${f}`), x.dnatVia(f, `pa${f}`, `pp${f}`, false));
    rule('output', `publish on one host address, from the host (ipv${f})`, x.dnatVia(f, `sa${f}`, `sp${f}`, true));
    // Wildcard ports are not published on 127.0.0.1 (that needs route_localnet; ask for it with host_ip).
    rule('output', `publish on every host address, from the host (ipv${f})`,
      x.fibLocal, x.match(x.payload(x.ipFam(f), 'daddr'), x.prefix(LOOPBACK[f]), '!='),
      x.dnatVia(f, `pa${f}`, `pp${f}`, false));
  }
  for (const n of nets) {
    for (const [f, subnet] of [[4, n.subnet4], [6, n.subnet6]] as const) {
      if (!subnet) continue;
      if (n.masquerade && !n.internal) rule('postrouting', `masquerade ${subnet} (${n.name})`, x.saddr(f, subnet), x.oif(n.bridge, '!='), x.masquerade);
      // Hairpin: a container reaching a published port of its own bridge must see the reply come back through the host.
      if (!n.internal) rule('postrouting', `hairpin ${n.name} (ipv${f})`, x.ctStatusDnat, x.oif(n.bridge), x.saddr(f, subnet), x.masquerade);
    }
  }
  for (const br of localhostBridges) rule('postrouting', `publish on 127.0.0.1 via ${br}`, x.oif(br), x.saddr(4, LOOPBACK[4]), x.masquerade);
  return rules;
}

function forwardRules(nets: FwNetwork[], remotes: string[]): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const rule = (comment: string, ...expr: Expr[]) => rules.push({ chain: 'forward', comment: `ctnet:${comment}`, expr });
  const bridgeOf = new Map(nets.map((n) => [n.name, n.bridge]));
  rule('replies of allowed connections', x.ctEstablished, x.accept);
  for (const n of nets.filter((m) => m.internal)) {
    rule(`internal ${n.name}: nothing leaves`, x.iif(n.bridge), x.oif(n.bridge, '!='), x.drop);
    rule(`internal ${n.name}: nothing enters`, x.oif(n.bridge), x.iif(n.bridge, '!='), x.drop);
  }
  for (const n of nets) {
    if (!n.internal) rule(`published ports of ${n.name}`, x.oif(n.bridge), x.ctStatusDnat, x.accept);
    rule(n.icc ? `icc ${n.name}` : `icc off ${n.name}`, x.iif(n.bridge), x.oif(n.bridge), n.icc ? x.accept : x.drop);
    for (const from of [...n.allowFrom].sort()) {
      const br = bridgeOf.get(from);
      if (br) rule(`allow ${n.name} from ${from}`, x.iif(br), x.oif(n.bridge), x.accept);
    }
    // Peer hosts' containers may reach this network (the seeds' `iptables -I FORWARD -s <peer subnet> -j ACCEPT`).
    if (!n.internal) for (const r of remotes) rule(`allow ${n.name} from peer subnet ${r}`, x.saddr(familyOf(r), r), x.oif(n.bridge), x.accept);
    rule(`isolate ${n.name}`, x.oif(n.bridge), x.drop);
  }
  return rules;
}

/** `remotes`: container subnets behind peer routes (peers and other hosts of the topology). */
export function buildRuleset(nets: FwNetwork[], mappings: Mapping[], remotes: string[] = []): Ruleset {
  const sorted = [...nets].sort((a, b) => (a.name < b.name ? -1 : 1));
  const families: (4 | 6)[] = [4, 6];
  const lo = new Set<string>();
  const netOf = new Map<string, FwNetwork>();
  for (const n of sorted) netOf.set(n.name, n);
  for (const m of mappings) if (m.family === 4 && isLoopback(m.hostIp)) lo.add(bridgeFor(sorted, m.addr) ?? '');
  lo.delete('');
  return {
    chains: CHAINS,
    maps: maps(mappings),
    rules: [...forwardRules(sorted, [...remotes].sort()), ...natRules(families, [...lo].sort(), sorted, [...remotes].sort())],
  };
}

/** The bridge whose IPv4 subnet holds `addr` (pure string math on dotted quads). */
export function bridgeFor(nets: FwNetwork[], addr: string): string | undefined {
  const v = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  for (const n of nets) {
    const [base, len] = n.subnet4.split('/');
    const size = 2 ** (32 - Number(len));
    if (!addr.includes(':') && Math.floor(v(addr) / size) === Math.floor(v(base) / size)) return n.bridge;
  }
  return undefined;
}
