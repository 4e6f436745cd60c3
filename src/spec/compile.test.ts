import { describe, expect, it } from 'vitest';
import { addrKey, bridgeKey, loKey, netnsKey, routeKey, vethKey } from '../model/keys.js';
import { emptyObserved, HOST, type AddrObj, type ObservedState } from '../model/state.js';
import { checkTexts, compile, namespacesOf } from './index.js';
import type { Topology } from './types.js';

function load(yaml: string): Topology {
  const r = checkTexts([{ file: 'topology.yaml', text: yaml }]);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.topology!;
}

const two = `version: 1
networks:
  web:
    subnet: 10.10.0.0/16
    ip_range: 10.10.1.0/24
    ipv6_subnet: fd00:10::/64
  db:
    subnet: 10.20.0.0/24
    mtu: 9000
containers:
  web1:
    netns: web1
    create: true
    networks:
      web: { ipv4_address: 10.10.0.10, ipv6_address: "FD00:10::0A" }
      db: {}
  web2:
    pid: 1234
    networks: [web]
  side:
    netns: side
    create: true
    network_mode: container:web1
  hostc:
    network_mode: host
`;

describe('normalize defaults', () => {
  it('applies defaults and canonical forms', () => {
    const t = load(two);
    const web = t.networks.get('web')!;
    expect(web).toMatchObject({ bridgeName: 'br-web', gateway: '10.10.0.1', ipv6Gateway: 'fd00:10::1', mtu: 1500, masquerade: true, icc: true, dns: false });
    const web1 = t.containers.get('web1')!;
    expect(web1.attachments.map((a) => [a.network, a.interface, a.defaultRoute])).toEqual([['web', 'eth0', true], ['db', 'eth1', false]]);
    expect(web1.attachments[0].ipv6Address).toBe('fd00:10::a');
    expect(web1.hostsFile).toBe('/etc/netns/web1/hosts');
    expect(t.containers.get('web2')!.create).toBe(false);
  });
  it('internal networks do not masquerade; long names get a hashed bridge name', () => {
    const t = load('version: 1\nnetworks:\n  a-rather-long-name: { subnet: 10.1.0.0/24, internal: true }\n');
    const n = t.networks.get('a-rather-long-name')!;
    expect(n.masquerade).toBe(false);
    expect(n.bridgeName).toMatch(/^br-[0-9a-f]{12}$/);
  });
});

describe('compile', () => {
  it('builds bridges, gateway addresses, veths, addresses and routes with the shared keys', () => {
    const d = compile(load(two), undefined);
    expect(d.objects.get(bridgeKey('web'))).toEqual({ kind: 'bridge', key: 'bridge/web', owner: { network: 'web' }, ns: HOST, name: 'br-web', mtu: 1500, mac: '02:42:0a:0a:00:01', up: true });
    expect(d.objects.get(addrKey('host', 'br-web', '10.10.0.1', 16))).toMatchObject({ ns: HOST, dev: 'br-web', family: 4 });
    expect(d.objects.get(addrKey('host', 'br-web', 'fd00:10::1', 64))).toMatchObject({ family: 6 });
    expect(d.objects.get(netnsKey('web1'))).toEqual({ kind: 'netns', key: 'netns/web1', owner: { container: 'web1' }, name: 'web1', path: '/run/netns/web1' });
    expect(d.objects.get(netnsKey('side'))).toMatchObject({ shareOf: '/run/netns/web1' });
    expect(d.objects.get(loKey('web1'))).toEqual({ kind: 'loopback', key: 'lo/web1', owner: { container: 'web1' }, ns: '/run/netns/web1', up: true });
    const veth = d.objects.get(vethKey('web1', 'web'));
    expect(veth).toMatchObject({ ns: HOST, bridge: 'br-web', peerNs: '/run/netns/web1', peerName: 'eth0', peerMac: '02:42:0a:0a:00:0a', ipv6: true, mtu: 1500 });
    expect((veth as any).name).toMatch(/^vc[0-9a-f]{10}$/);
    expect(d.objects.get(vethKey('web1', 'db'))).toMatchObject({ mtu: 9000, peerName: 'eth1', ipv6: false });
    expect(d.objects.get(addrKey('web1', 'eth0', 'fd00:10::a', 64))).toMatchObject({ ns: '/run/netns/web1', family: 6 });
    expect(d.objects.get(routeKey('web1', '0.0.0.0/0'))).toEqual({ kind: 'route', key: 'route/web1/0.0.0.0/0', owner: { container: 'web1' }, ns: '/run/netns/web1', family: 4, dst: '0.0.0.0/0', via: '10.10.0.1', dev: 'eth0' });
    expect(d.objects.get(routeKey('web1', '::/0'))).toMatchObject({ via: 'fd00:10::1', dev: 'eth0' });
    // web2 (pid) gets the first address of ip_range, and a MAC derived from it.
    expect(d.objects.get(addrKey('web2', 'eth0', '10.10.1.0', 16))).toMatchObject({ ns: '/proc/1234/ns/net' });
    expect(d.objects.get(vethKey('web2', 'web'))).toMatchObject({ peerMac: '02:42:0a:0a:01:00' });
    // host mode: nothing at all; container mode: only its netns name.
    expect([...d.objects.keys()].some((k) => k.includes('hostc'))).toBe(false);
    expect([...d.objects.keys()].filter((k) => k.includes('side'))).toEqual(['netns/side']);
    expect(d.nsLabels).toEqual(new Map([[HOST, 'host'], ['/run/netns/web1', 'web1'], ['/proc/1234/ns/net', 'web2']]));
    expect(namespacesOf(load(two))).toEqual(d.nsLabels);
  });

  it('records where each object came from', () => {
    const d = compile(load(two), undefined);
    // Origins are resolved lazily (only read when something points at the YAML); their JSON is plain.
    expect(JSON.parse(JSON.stringify(d.origin.get(bridgeKey('web'))))).toEqual({ file: 'topology.yaml', line: 3, col: 3, path: 'networks.web' });
    expect(d.origin.get(addrKey('web1', 'eth0', '10.10.0.10', 16))).toMatchObject({ line: 15, path: 'containers.web1.networks.web.ipv4_address' });
    for (const k of d.objects.keys()) expect(d.origin.has(k)).toBe(true);
  });

  it('keeps a previously allocated address, and a new container does not steal it', () => {
    const yaml = `version: 1
networks:
  net: { subnet: 10.5.0.0/24 }
containers:
  b: { netns: b, networks: [net] }
`;
    const observed: ObservedState = emptyObserved();
    const prev: AddrObj = { kind: 'addr', key: addrKey('b', 'eth0', '10.5.0.7', 24), ns: '/run/netns/b', dev: 'eth0', family: 4, address: '10.5.0.7', prefix: 24 };
    observed.objects.set(prev.key, prev);
    expect(compile(load(yaml), observed).objects.has(prev.key)).toBe(true);
    // "a" sorts before "b" and is new: it takes the lowest free address, not b's.
    const more = load(yaml + '  a: { netns: a, networks: [net] }\n  c: { netns: c, networks: [net] }\n');
    const d = compile(more, observed);
    expect(d.objects.has(prev.key)).toBe(true);
    expect(d.objects.has(addrKey('a', 'eth0', '10.5.0.2', 24))).toBe(true);
    expect(d.objects.has(addrKey('c', 'eth0', '10.5.0.3', 24))).toBe(true);
    // Without the observed state, allocation is simply lowest-first by name.
    expect(compile(more, undefined).objects.has(addrKey('b', 'eth0', '10.5.0.3', 24))).toBe(true);
  });

  it('drops a previous address that a static address now claims', () => {
    const yaml = `version: 1
networks:
  net: { subnet: 10.5.0.0/24 }
containers:
  a: { netns: a, networks: { net: { ipv4_address: 10.5.0.7 } } }
  b: { netns: b, networks: [net] }
`;
    const observed = emptyObserved();
    const prev: AddrObj = { kind: 'addr', key: addrKey('b', 'eth0', '10.5.0.7', 24), ns: '/run/netns/b', dev: 'eth0', family: 4, address: '10.5.0.7', prefix: 24 };
    observed.objects.set(prev.key, prev);
    const d = compile(load(yaml), observed);
    expect(d.objects.has(addrKey('b', 'eth0', '10.5.0.2', 24))).toBe(true);
    expect(d.objects.get(addrKey('a', 'eth0', '10.5.0.7', 24))).toBeDefined();
  });

  it('keeps only the objects of one host with opts.host', () => {
    const yaml = `version: 1
hosts:
  h1: { address: 192.168.0.1 }
  h2: { address: 192.168.0.2 }
networks:
  n1: { subnet: 10.1.0.0/24, host: h1 }
  n2: { subnet: 10.2.0.0/24, host: h2 }
  both: { subnet: 10.3.0.0/24 }
containers:
  c1: { netns: c1, host: h1, networks: [n1, both] }
  c2: { netns: c2, host: h2, networks: [n2, both] }
`;
    const d = compile(load(yaml), undefined, { host: 'h1' });
    const keys = [...d.objects.keys()];
    expect(keys).toContain(bridgeKey('n1'));
    expect(keys).toContain(bridgeKey('both'));
    expect(keys).not.toContain(bridgeKey('n2'));
    expect(keys.some((k) => k.includes('c2'))).toBe(false);
    // Addresses on shared networks are computed over all hosts, so h1 and h2 never collide.
    expect(keys).toContain(addrKey('c1', 'eth1', '10.3.0.2', 24));
    expect(compile(load(yaml), undefined, { host: 'h2' }).objects.has(addrKey('c2', 'eth1', '10.3.0.3', 24))).toBe(true);
  });

  it('is deterministic', () => {
    const a = compile(load(two), undefined), b = compile(load(two), undefined);
    expect([...a.objects.entries()]).toEqual([...b.objects.entries()]);
  });
});
