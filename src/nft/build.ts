// Pure: networks + published ports -> ctnet's whole table. One table, four base
// chains, and DNAT through maps keyed by `l4proto . dport` (wildcard host address)
// or `daddr . l4proto . dport` (one host address), so 10 000 published ports are
// a handful of rules plus map elements (KERNEL-FACTS C3: 29 ms for 1000).
//
// The forward chain has policy accept: the host's other forwarded traffic is not
// ctnet's to judge. It only ever drops traffic *into* or *out of* ctnet's bridges.
// Same-bridge traffic is seen here only when br_netfilter passes bridged frames to
// inet hooks (bridge-nf-call-iptables=1); that is why icc:false asks for that sysctl.
import { familyOfText as familyOf, inCidr } from '../model/ip.js';
import { commentOf, encodePorts, type Intent } from './codec.js';
import * as x from './expr.js';
import type { ChainSpec, Expr, FwNetwork, Mapping, RuleSpec, Ruleset } from '../model/nft.js';

const CHAINS: ChainSpec[] = [
  { name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' },
  { name: 'output', type: 'nat', hook: 'output', prio: -100, policy: 'accept' },
  { name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
  { name: 'prerouting', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' },
];
const LOOPBACK: Record<4 | 6, string> = { 4: '127.0.0.0/8', 6: '::1/128' };
/** Before connection tracking (raw priority): only where ctnet sets route_localnet on a bridge (to publish on
 *  127.0.0.1), which also lets packets from that bridge addressed to 127.0.0.0/8 reach the host's loopback-only
 *  services; this chain drops them (test/netns/localhost-guard.test.ts). */
const GUARD: ChainSpec = { name: 'guard', type: 'filter', hook: 'prerouting', prio: -300, policy: 'accept' };

export function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1');
}

/** An IPv4 mapping the host reaches on 127.0.0.1: one published there, or on every address (as Docker's
 *  `-p 8080:80` answers `curl 127.0.0.1:8080`). Its bridge needs route_localnet, the masquerade of 127.0.0.1,
 *  and the guard. */
export const onLocalhost = (m: { family: 4 | 6; hostIp?: string }): boolean => m.family === 4 && (m.hostIp === undefined || isLoopback(m.hostIp));

function natRules(families: (4 | 6)[], localhostBridges: string[], nets: FwNetwork[], remotes: string[]): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const rule = (chain: string, intent: Intent, ...expr: Expr[]) => rules.push({ chain, comment: commentOf(intent), expr });
  // Container subnets of peers and other hosts are reached with the containers' own
  // addresses (routed, like flannel's host-gw), so the other side can answer and filter
  // by them: no masquerade toward them. These come before the masquerade rules.
  for (const r of remotes) rule('postrouting', { kind: 'no-masquerade-to-peer', subnet: r }, x.daddr(familyOf(r), r), x.ret);
  for (const f of families) {
    // moby#45610: without this, a packet from the LAN addressed to 127.0.0.1 would be DNATed
    // to a loopback-only published port before routing could drop it as a martian.
    rule('prerouting', { kind: 'loopback-only', family: f }, x.daddr(f, LOOPBACK[f]), x.ret);
    rule('prerouting', { kind: 'publish', family: f, on: 'one', fromHost: false }, x.dnatVia(f, `sa${f}`, `sp${f}`, true));
    rule('prerouting', { kind: 'publish', family: f, on: 'every', fromHost: false }, x.fibLocal, x.match(x.meta('nfproto'), `ipv${f}`), x.dnatVia(f, `pa${f}`, `pp${f}`, false));
    rule('output', { kind: 'publish', family: f, on: 'one', fromHost: true }, x.dnatVia(f, `sa${f}`, `sp${f}`, true));
    // Wildcard ports answer on 127.0.0.1 too, as Docker's do (their bridges get route_localnet and the guard).
    // Not on ::1: Linux has no route_localnet for IPv6, so such a packet would be dropped as a martian.
    rule('output', { kind: 'publish', family: f, on: 'every', fromHost: true },
      x.fibLocal, ...(f === 6 ? [x.match(x.payload(x.ipFam(f), 'daddr'), x.prefix(LOOPBACK[f]), '!=')] : []),
      x.dnatVia(f, `pa${f}`, `pp${f}`, false));
  }
  for (const n of nets) {
    for (const [f, subnet] of [[4, n.subnet4], [6, n.subnet6]] as const) {
      if (!subnet) continue;
      if (n.masquerade && !n.internal) rule('postrouting', { kind: 'masquerade', network: n.name, subnet }, x.saddr(f, subnet), x.oif(n.bridge, '!='), x.masquerade);
      // Hairpin: a container reaching a published port of its own bridge must see the reply come back through the host.
      if (!n.internal) rule('postrouting', { kind: 'hairpin', network: n.name, family: f }, x.ctStatusDnat, x.oif(n.bridge), x.saddr(f, subnet), x.masquerade);
    }
  }
  for (const br of localhostBridges) {
    rule('postrouting', { kind: 'publish-localhost', bridge: br }, x.oif(br), x.saddr(4, LOOPBACK[4]), x.masquerade);
    rule('guard', { kind: 'localhost-guard', bridge: br }, x.iif(br), x.daddr(4, LOOPBACK[4]), x.drop);
  }
  return rules;
}

function forwardRules(nets: FwNetwork[], remotes: string[]): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const rule = (intent: Intent, ...expr: Expr[]) => rules.push({ chain: 'forward', comment: commentOf(intent), expr });
  const bridgeOf = new Map(nets.map((n) => [n.name, n.bridge]));
  rule({ kind: 'replies' }, x.ctEstablished, x.accept);
  for (const n of nets.filter((m) => m.internal)) {
    rule({ kind: 'internal', network: n.name, way: 'leaves' }, x.iif(n.bridge), x.oif(n.bridge, '!='), x.drop);
    rule({ kind: 'internal', network: n.name, way: 'enters' }, x.oif(n.bridge), x.iif(n.bridge, '!='), x.drop);
  }
  for (const n of nets) {
    if (!n.internal) rule({ kind: 'published-ports', network: n.name }, x.oif(n.bridge), x.ctStatusDnat, x.accept);
    rule({ kind: 'icc', network: n.name, on: n.icc }, x.iif(n.bridge), x.oif(n.bridge), n.icc ? x.accept : x.drop);
    for (const from of [...n.allowFrom].sort()) {
      const br = bridgeOf.get(from);
      if (br) rule({ kind: 'allow', network: n.name, from }, x.iif(br), x.oif(n.bridge), x.accept);
    }
    // Peer hosts' containers may reach this network (the seeds' `iptables -I FORWARD -s <peer subnet> -j ACCEPT`).
    if (!n.internal) for (const r of remotes) rule({ kind: 'allow-peer', network: n.name, subnet: r }, x.saddr(familyOf(r), r), x.oif(n.bridge), x.accept);
    rule({ kind: 'isolate', network: n.name }, x.oif(n.bridge), x.drop);
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
  for (const m of mappings) if (onLocalhost(m)) lo.add(bridgeFor(sorted, m.addr) ?? '');
  lo.delete('');
  return {
    chains: lo.size ? [...CHAINS, GUARD].sort((a, b) => (a.name < b.name ? -1 : 1)) : CHAINS,
    maps: encodePorts(mappings),
    rules: [...forwardRules(sorted, [...remotes].sort()), ...natRules(families, [...lo].sort(), sorted, [...remotes].sort())],
  };
}

/** The bridge whose IPv4 subnet holds `addr`. */
export function bridgeFor(nets: FwNetwork[], addr: string): string | undefined {
  return nets.find((n) => n.subnet4 !== undefined && inCidr(n.subnet4, addr))?.bridge;
}
