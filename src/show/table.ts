// Pure: a shown topology as two tables in the layout of `docker network ls` / `docker ps`:
// the networks (name, bridge, subnets, gateway, containers) and the containers (name,
// namespace, addresses per network, published ports).
import type { ShownTopology } from './to-topology.js';

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

export function showTables(t: ShownTopology): string {
  const ctrs = Object.entries(t.containers);
  const nets = [['NETWORK', 'BRIDGE', 'SUBNET', 'GATEWAY', 'CONTAINERS']];
  for (const [name, n] of Object.entries(t.networks)) {
    const members = ctrs.filter(([, c]) => c.networks && name in (c.networks as object)).length;
    nets.push([name, String(n.bridge_name ?? ''), [n.subnet, n.ipv6_subnet].filter(Boolean).join(', '),
      [n.gateway, n.ipv6_gateway].filter(Boolean).join(', '), String(members)]);
  }
  const cs = [['CONTAINER', 'NETNS', 'ADDRESSES', 'PORTS']];
  for (const [name, c] of ctrs) {
    const atts = Object.entries((c.networks ?? {}) as Record<string, Record<string, unknown>>);
    const addrs = atts.map(([net, a]) => `${net}: ${[a.ipv4_address, a.ipv6_address].filter(Boolean).join(' ')}`).join('; ');
    cs.push([name, String(c.netns ?? (c.docker !== undefined ? `docker:${c.docker}` : undefined) ?? c.network_mode ?? ''), addrs || String(c.network_mode ?? '-'), ((c.ports ?? []) as string[]).join(', ') || '-']);
  }
  return `${nets.length > 1 ? table(nets) : 'No networks.'}\n\n${cs.length > 1 ? table(cs) : 'No containers.'}`;
}
