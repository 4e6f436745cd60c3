// fast-check arbitraries of valid-looking topologies (networks, containers, ports, links, aliases,
// container: shares), for the property tests of the planner.
import fc from 'fast-check';

export const NETS = ['n0', 'n1', 'n2'];
export const CTRS = ['c0', 'c1', 'c2', 'c3', 'c4'];

export interface Net { name: string; v6: boolean; internal: boolean; icc: boolean; dns: boolean; mtu: number }
export interface Ctr { name: string; nets: string[]; ports: number[]; link?: string; alias: boolean; share?: string }

const netArb = (name: string, i: number): fc.Arbitrary<Net> => fc.record({
  name: fc.constant(name), v6: fc.boolean(), internal: fc.boolean({ ...{}, }), icc: fc.boolean(), dns: fc.boolean(),
  mtu: fc.constantFrom(1400, 1500, 9000),
}).map((n) => ({ ...n, internal: n.internal && i > 0 }));

export const topoArb: fc.Arbitrary<{ nets: Net[]; ctrs: Ctr[] }> = fc.integer({ min: 1, max: 3 }).chain((nn) =>
  fc.tuple(...NETS.slice(0, nn).map(netArb)).chain((nets) =>
    fc.uniqueArray(fc.constantFrom(...CTRS), { maxLength: 5 }).chain((names) =>
      fc.tuple(...names.map((name) => fc.record({
        name: fc.constant(name),
        nets: fc.subarray(nets.map((n) => n.name), { minLength: 1 }),
        ports: fc.uniqueArray(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        link: fc.option(fc.constantFrom(...names), { nil: undefined }),
        alias: fc.boolean(),
        share: fc.option(fc.constantFrom(...names), { nil: undefined }),
      }))).map((ctrs) => ({ nets, ctrs: ctrs as Ctr[] })))));

/** YAML for a drawn topology; links, shares and ports are kept only where they are valid. */
export function yamlOf(t: { nets: Net[]; ctrs: Ctr[] }, salt: number): string {
  const lines = ['version: 1', 'networks:'];
  t.nets.forEach((n, i) => lines.push(`  ${n.name}: { subnet: 10.${60 + i}.${salt}.0/24${n.v6 ? `, ipv6_subnet: "fd00:${60 + i}:${salt}::/64"` : ''}, internal: ${n.internal}, icc: ${n.icc}, dns: ${n.dns}, mtu: ${n.mtu} }`));
  lines.push('containers:');
  const byName = new Map(t.ctrs.map((c) => [c.name, c]));
  const sharers = new Set<string>();
  for (const c of t.ctrs) {
    const target = c.share && c.share !== c.name && !byName.get(c.share)?.share ? c.share : undefined;
    if (target && !sharers.has(target)) {
      sharers.add(c.name);
      lines.push(`  ${c.name}: { netns: pp${c.name}, create: true, network_mode: "container:${target}" }`);
      continue;
    }
    const nets = c.nets.map((n) => (c.alias ? `${n}: { aliases: [${c.name}-a] }` : `${n}: {}`)).join(', ');
    const ports = c.ports.map((p) => `"${20000 + CTRS.indexOf(c.name) * 10 + p}:80"`).join(', ');
    const peer = c.link && c.link !== c.name ? byName.get(c.link) : undefined;
    const link = peer && !sharers.has(peer.name) && peer.nets.some((n) => c.nets.includes(n)) ? `, links: [${peer.name}]` : '';
    lines.push(`  ${c.name}: { netns: pp${c.name}, create: true, networks: { ${nets} }${ports ? `, ports: [${ports}]` : ''}${link} }`);
  }
  return lines.join('\n') + '\n';
}

