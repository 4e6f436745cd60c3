// Table-driven invalid cases, one or more per rule: each YAML must produce a
// diagnostic at the given path whose message matches, with a hint and a position.
import { describe, expect, it } from 'vitest';
import { checkTexts } from './index.js';

const base = `version: 1
networks:
  web: { subnet: 10.10.0.0/24 }
`;
const c = (body: string) => `${base}containers:\n${body}`;

const invalidCases: { name: string; yaml: string; path: string; message: RegExp }[] = [
  { name: 'network name with a slash', yaml: `version: 1\nnetworks:\n  "a/b": { subnet: 10.1.0.0/24 }\n`, path: 'networks.a/b', message: /invalid name "a\/b"/ },
  { name: 'name starting with a dash', yaml: c('  "-x": { netns: x }\n'), path: 'containers.-x', message: /invalid name/ },
  { name: 'name longer than 63', yaml: c(`  ${'a'.repeat(64)}: { netns: x }\n`), path: `containers.${'a'.repeat(64)}`, message: /invalid name/ },
  { name: 'overlapping v4 subnets', yaml: `${base}  db: { subnet: 10.10.0.128/25 }\n`, path: 'networks.db.subnet', message: /overlaps 10\.10\.0\.0\/24 of network "web"/ },
  { name: 'overlapping v6 subnets', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, ipv6_subnet: "fd00::/64" }\n  b: { subnet: 10.2.0.0/24, ipv6_subnet: "fd00::/80" }\n`, path: 'networks.b.ipv6_subnet', message: /overlaps fd00::\/64/ },
  { name: 'gateway outside subnet', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, gateway: 10.2.0.1 }\n`, path: 'networks.a.gateway', message: /not inside subnet 10\.1\.0\.0\/24/ },
  { name: 'gateway is the network address', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, gateway: 10.1.0.0 }\n`, path: 'networks.a.gateway', message: /network address/ },
  { name: 'ipv6 gateway outside', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, ipv6_subnet: "fd00::/64", ipv6_gateway: "fd01::1" }\n`, path: 'networks.a.ipv6_gateway', message: /not inside/ },
  { name: 'ipv6 gateway without subnet', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, ipv6_gateway: "fd01::1" }\n`, path: 'networks.a.ipv6_gateway', message: /no ipv6_subnet/ },
  { name: 'ip_range outside subnet', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, ip_range: 10.1.0.0/23 }\n`, path: 'networks.a.ip_range', message: /not inside subnet/ },
  { name: 'subnet too small', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/31 }\n`, path: 'networks.a.subnet', message: /too small/ },
  { name: 'static address outside subnet', yaml: c('  x: { netns: x, networks: { web: { ipv4_address: 10.11.0.5 } } }\n'), path: 'containers.x.networks.web.ipv4_address', message: /not inside subnet/ },
  { name: 'static broadcast address', yaml: c('  x: { netns: x, networks: { web: { ipv4_address: 10.10.0.255 } } }\n'), path: 'containers.x.networks.web.ipv4_address', message: /broadcast address/ },
  { name: 'static address equal to gateway', yaml: c('  x: { netns: x, networks: { web: { ipv4_address: 10.10.0.1 } } }\n'), path: 'containers.x.networks.web.ipv4_address', message: /used by the gateway/ },
  { name: 'duplicate static addresses', yaml: c('  x: { netns: x, networks: { web: { ipv4_address: 10.10.0.9 } } }\n  y: { netns: y, networks: { web: { ipv4_address: 10.10.0.9 } } }\n'), path: 'containers.y.networks.web.ipv4_address', message: /already used by container "x"/ },
  { name: 'ipv6 address without ipv6_subnet', yaml: c('  x: { netns: x, networks: { web: { ipv6_address: "fd00::5" } } }\n'), path: 'containers.x.networks.web.ipv6_address', message: /no ipv6_subnet/ },
  { name: 'unknown network', yaml: c('  x: { netns: x, networks: [wbe] }\n'), path: 'containers.x.networks.0', message: /unknown network "wbe"/ },
  { name: 'network listed twice', yaml: c('  x: { netns: x, networks: [web, web] }\n'), path: 'containers.x.networks.1', message: /network "web" is listed twice/ },
  { name: 'unknown link', yaml: c('  x: { netns: x, links: [y] }\n'), path: 'containers.x.links.0', message: /unknown container "y"/ },
  { name: 'unknown container: target', yaml: c('  x: { network_mode: "container:y" }\n'), path: 'containers.x.network_mode', message: /unknown container "y"/ },
  { name: 'unknown allow_from', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, allow_from: [b] }\n`, path: 'networks.a.allow_from.0', message: /unknown network "b"/ },
  { name: 'unknown host', yaml: c('  x: { netns: x, host: h1 }\n'), path: 'containers.x.host', message: /unknown host "h1"/ },
  { name: 'container: self reference', yaml: c('  x: { network_mode: "container:x" }\n'), path: 'containers.x.network_mode', message: /itself/ },
  { name: 'container: cycle', yaml: c('  x: { network_mode: "container:y" }\n  y: { network_mode: "container:x" }\n'), path: 'containers.x.network_mode', message: /cycle: x -> y -> x/ },
  { name: 'host mode with networks', yaml: c('  x: { network_mode: host, networks: [web] }\n'), path: 'containers.x.networks', message: /network_mode host may not list networks/ },
  { name: 'container mode with networks', yaml: c('  x: { netns: x }\n  y: { network_mode: "container:x", networks: [web] }\n'), path: 'containers.y.networks', message: /container:x may not list networks/ },
  { name: 'none mode with networks', yaml: c('  x: { netns: x, network_mode: none, networks: [web] }\n'), path: 'containers.x.networks', message: /none may not list networks/ },
  { name: 'bridge_name too long', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: br-0123456789abc }\n`, path: 'networks.a.bridge_name', message: /at most 15/ },
  { name: 'bridge_name with slash', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: "br/x" }\n`, path: 'networks.a.bridge_name', message: /may contain only letters, digits/ },
  { name: 'bridge_name ..', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: ".." }\n`, path: 'networks.a.bridge_name', message: /"\." or "\.\."/ },
  { name: 'duplicate bridge_name', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: br-x }\n  b: { subnet: 10.2.0.0/24, bridge_name: br-x }\n`, path: 'networks.b.bridge_name', message: /also used by network "a"/ },
  { name: 'default bridge name collides with explicit one', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: br-b }\n  b: { subnet: 10.2.0.0/24 }\n`, path: 'networks.b.bridge_name', message: /also used/ },
  { name: 'interface too long', yaml: c('  x: { netns: x, networks: { web: { interface: eth-0123456789ab } } }\n'), path: 'containers.x.networks.web.interface', message: /at most 15/ },
  { name: 'duplicate interface', yaml: `${base}  db: { subnet: 10.2.0.0/24 }\ncontainers:\n  x: { netns: x, networks: { web: { interface: e }, db: { interface: e } } }\n`, path: 'containers.x.networks.db.interface', message: /used for networks "web" and "db"/ },
  { name: 'netns relative path', yaml: c('  x: { netns: a/b }\n'), path: 'containers.x.netns', message: /neither a plain name nor an absolute path/ },
  { name: 'netns path with ..', yaml: c('  x: { netns: /run/../etc }\n'), path: 'containers.x.netns', message: /"\.\."/ },
  { name: 'netns and pid', yaml: c('  x: { netns: x, pid: 4 }\n'), path: 'containers.x.pid', message: /both given/ },
  { name: 'two containers share a netns', yaml: c('  x: { netns: n }\n  y: { netns: /run/netns/n }\n'), path: 'containers.y.netns', message: /also used by container "x"/ },
  { name: 'bridge container without namespace', yaml: c('  x: { networks: [web] }\n'), path: 'containers.x', message: /has no namespace/ },
  { name: 'create with a path', yaml: c('  x: { netns: /var/run/x, create: true }\n'), path: 'containers.x.create', message: /create: true with the path/ },
  { name: 'create with pid', yaml: c('  x: { pid: 7, create: true }\n'), path: 'containers.x.create', message: /create: true with pid/ },
  { name: 'two default routes', yaml: `${base}  db: { subnet: 10.2.0.0/24 }\ncontainers:\n  x: { netns: x, networks: { web: { default_route: true }, db: { default_route: true } } }\n`, path: 'containers.x.networks', message: /more than one network has default_route/ },
  { name: 'mtu too small', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, mtu: 67 }\n`, path: 'networks.a.mtu', message: /mtu 67 is out of range/ },
  { name: 'mtu too large', yaml: `version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, mtu: 65536 }\n`, path: 'networks.a.mtu', message: /out of range/ },
  { name: 'host port conflict', yaml: c('  x: { netns: x, ports: ["80:80"] }\n  y: { netns: y, ports: ["127.0.0.1:80:8080"] }\n'), path: 'containers.y.ports.0', message: /80\/tcp is already published by container "x"/ },
  { name: 'unequal port ranges', yaml: c('  x: { netns: x, ports: ["80-81:80-82"] }\n'), path: 'containers.x.ports.0', message: /differ in length/ },
  { name: 'peer subnet overlaps a network', yaml: `${base}peers:\n  p: { via: 192.168.1.2, subnets: [10.10.0.0/16] }\n`, path: 'peers.p.subnets.0', message: /overlaps 10\.10\.0\.0\/24/ },
];

describe('rules: invalid cases', () => {
  for (const tc of invalidCases) {
    it(tc.name, () => {
      const r = checkTexts([{ file: 'topology.yaml', text: tc.yaml }]);
      expect(r.topology).toBeUndefined();
      const hit = r.diagnostics.find((d) => d.path === tc.path && tc.message.test(d.message));
      if (!hit) console.log(tc.name, r.diagnostics);
      expect(hit).toBeDefined();
      expect(hit!.severity).toBe('error');
      expect(hit!.hint).toBeTruthy();
      expect(hit!.file).toBe('topology.yaml');
      expect(hit!.line).toBeGreaterThan(0);
    });
  }
});

describe('rules: valid inputs stay quiet', () => {
  it.each([
    ['container mode sharing a namespace', c('  x: { netns: x, networks: [web] }\n  y: { network_mode: "container:x" }\n')],
    ['ports on different host addresses', c('  x: { netns: x, ports: ["127.0.0.1:80:80"] }\n  y: { netns: y, ports: ["127.0.0.2:80:80", "80:80/udp"] }\n')],
    ['host mode without a namespace', c('  x: { network_mode: host }\n')],
    ['long network name gets a hashed bridge name', `version: 1\nnetworks:\n  a-network-name-long: { subnet: 10.1.0.0/24 }\n`],
  ])('%s', (_, yaml) => {
    const r = checkTexts([{ file: 't.yaml', text: yaml }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.topology).toBeDefined();
  });
});

describe('rules: limits', () => {
  it('rejects more than 1024 containers on one bridge (BR_MAX_PORTS)', () => {
    const body = Array.from({ length: 1025 }, (_, i) => `  c${i}: { netns: c${i}, networks: [web] }\n`).join('');
    const r = checkTexts([{ file: 't.yaml', text: `version: 1\nnetworks:\n  web: { subnet: 10.10.0.0/16 }\ncontainers:\n${body}` }]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ path: 'networks.web', line: 3, message: '1025 containers are attached, a Linux bridge holds at most 1024' });
  });
  it('suggests the closest field name for a typo', () => {
    const r = checkTexts([{ file: 't.yaml', text: 'version: 1\nnetworks:\n  web: { subnet: 10.1.0.0/24, ip_rnage: 10.1.0.0/25 }\n' }]);
    expect(r.diagnostics).toEqual([{ severity: 'error', file: 't.yaml', line: 3, col: 41, path: 'networks.web.ip_rnage',
      message: 'unknown field "ip_rnage"', hint: 'did you mean "ip_range"?' }]);
  });
});
