// Pure: what other people's forward chains (kernel/forward.ts) do to the topology's networks. A base chain
// with policy drop that is not ctnet's drops the traffic of every bridge it does not accept explicitly:
// Docker's `FORWARD` (ip filter) does this to every network but its own, so containers reach the gateway
// and nothing else, while everything ctnet owns is exactly as planned. A located warning with the exact
// fix, not an error: the operator may mean it (and ctnet never edits anybody's chain on its own).
import type { Diagnostic } from '../errors.js';
import type { ForwardDrop } from '../kernel/port.js';
import { forHost } from './compile.js';
import { diagAt } from './source.js';
import type { Topology } from './types.js';

export function forwardDropWarnings(t: Topology, host: string | undefined, drops: ForwardDrop[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (drops.length === 0) return out;
  for (const n of forHost(t, host).networks.values()) {
    const br = n.bridgeName;
    for (const d of drops) {
      const applies = d.family === 'inet' || d.family === 'bridge' || (d.family === 'ip' && !!n.subnet) || (d.family === 'ip6' && !!n.ipv6Subnet);
      if (!applies) continue;
      const inOk = d.accepts.some((a) => a.iif === br && a.oif === undefined);
      const outOk = d.accepts.some((a) => a.oif === br && a.iif === undefined);
      if (inOk && outOk) continue;
      // firewall.docker_user: ctnet puts (and keeps) its own accepts there; nothing to warn about.
      if (t.firewall?.dockerUser && d.userChain === 'DOCKER-USER' && d.family === 'ip') continue;
      const tool = d.family === 'ip6' ? 'ip6tables' : 'iptables';
      const fix = d.userChain
        ? `Docker keeps user rules in ${d.userChain}: ${tool} -I ${d.userChain} -i ${br} -j ACCEPT && ${tool} -I ${d.userChain} -o ${br} -j ACCEPT`
        : `nft insert rule ${d.family} ${d.table} ${d.chain} iifname "${br}" accept && nft insert rule ${d.family} ${d.table} ${d.chain} oifname "${br}" accept`;
      out.push(diagAt(t.sources, ['networks', n.name],
        `chain ${d.family} ${d.table} ${d.chain} (forward hook, policy drop, not ctnet's) drops the traffic of network "${n.name}" (bridge ${br}): its containers reach the host only, not each other or the outside`,
        `allow the bridge there if that is not meant: ${fix}${d.userChain ? ' (or set `firewall: { docker_user: true }` and ctnet adds and owns those rules)' : ''}`, 'warning'));
    }
  }
  return out;
}
