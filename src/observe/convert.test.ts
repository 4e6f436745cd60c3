// Converter fixtures: raw dumps as the real adapter returns them -> ObservedState.
import { describe, expect, it } from 'vitest';
import type { NsDump } from '../kernel/port.js';
import { HOST } from '../model/state.js';
import { toObserved } from './convert.js';

const W1 = '/run/netns/web1';
const host: NsDump = {
  ns: HOST,
  links: [
    { index: 1, name: 'lo', mtu: 65536, up: true },
    { index: 2, name: 'eth0', mtu: 1500, mac: '52:54:00:00:00:01', up: true },
    { index: 3, name: 'br-web', kind: 'bridge', alias: 'ctnet:bridge/web-net', mtu: 1500, mac: '02:42:0a:0a:00:01', up: true, group: 0xc7 },
    { index: 4, name: 'vweb1', kind: 'veth', alias: 'ctnet:veth/web1/web-net', mtu: 1500, mac: '02:fa:ce:00:00:01', up: true, master: 3 },
    { index: 5, name: 'vgone', kind: 'veth', alias: 'ctnet:veth/old/web-net', mtu: 1500, up: false, master: 3 },
    { index: 6, name: 'docker0', kind: 'bridge', mtu: 1500, up: false },
  ],
  addrs: [
    { index: 1, family: 4, address: '127.0.0.1', prefix: 8, protocol: 0, scope: 254 },
    { index: 2, family: 4, address: '192.168.1.5', prefix: 24, protocol: 0, scope: 0 },
    { index: 2, family: 6, address: 'fe80::1', prefix: 64, protocol: 0, scope: 253 },
    { index: 3, family: 4, address: '10.10.0.1', prefix: 16, protocol: 0xc7, scope: 0 },
  ],
  routes: [
    { family: 4, table: 254, dst: '0.0.0.0/0', gateway: '192.168.1.1', oif: 2, protocol: 16, type: 'UNICAST' },
    { family: 4, table: 254, dst: '192.168.1.0/24', oif: 2, protocol: 2, type: 'UNICAST' },
    { family: 4, table: 254, dst: '172.18.0.0/16', gateway: '192.168.1.9', oif: 2, protocol: 0xc7, type: 'UNICAST' },
    { family: 6, table: 254, dst: 'fe80::/64', oif: 2, protocol: 2, metric: 256, type: 'UNICAST' },
    { family: 6, table: 254, dst: 'ff00::/8', oif: 2, protocol: 2, metric: 256, type: 'MULTICAST' },
  ],
  sysctls: { 'net.ipv4.ip_forward': '1' },
};
const web1: NsDump = {
  ns: W1,
  links: [
    { index: 1, name: 'lo', mtu: 65536, up: false },
    { index: 2, name: 'eth0', kind: 'veth', alias: 'ctnet:veth/web1/web-net', mtu: 1500, mac: '02:42:0a:0a:00:0a', up: true },
  ],
  addrs: [{ index: 2, family: 4, address: '10.10.0.10', prefix: 16, protocol: 0xc7, scope: 0 }],
  routes: [{ family: 4, table: 254, dst: '0.0.0.0/0', gateway: '10.10.0.1', oif: 2, protocol: 0xc7, metric: 100, type: 'UNICAST' }],
  sysctls: {},
};
const labels = new Map([[HOST, 'host'], [W1, 'web1'], ['/run/netns/web2', 'web2']]);

describe('toObserved', () => {
  const o = toObserved([host, web1, null], labels, [
    { name: 'web1', path: W1, exists: true },
    { name: 'crashed', path: '/run/netns/crashed', exists: false },
    { name: 'alias', path: '/run/netns/alias', exists: true, shareOf: 'web1' },
  ]);

  it('reports owned objects by key, in key order', () => {
    expect([...o.objects.keys()]).toEqual([
      'addr/host/br-web/10.10.0.1/16', 'addr/web1/eth0/10.10.0.10/16', 'bridge/web-net', 'lo/web1',
      'netns/alias', 'netns/crashed', 'netns/web1', 'route/host/172.18.0.0/16', 'route/web1/0.0.0.0/0',
      'sysctl/host/net.ipv4.ip_forward', 'veth/old/web-net', 'veth/web1/web-net',
    ]);
  });

  it('joins both veth ends into one object; a peer in no observed namespace gives peerNs ""', () => {
    expect(o.objects.get('veth/web1/web-net')).toEqual({
      kind: 'veth', key: 'veth/web1/web-net', owner: { container: 'web1', network: 'web-net' }, ns: HOST, name: 'vweb1', bridge: 'br-web', mtu: 1500, up: true,
      // Its peer is up with no IPv6 address at all: IPv6 is disabled on it (an undo re-creates it so).
      peerNs: W1, peerName: 'eth0', peerMac: '02:42:0a:0a:00:0a', peerUp: true, ipv6: false,
    });
    const withLinkLocal = toObserved([host, { ...web1, addrs: [...web1.addrs, { index: 2, family: 6, address: 'fe80::42:aff:fe0a:a', prefix: 64, protocol: 0, scope: 253 }] }], labels, []);
    expect(withLinkLocal.objects.get('veth/web1/web-net')).toMatchObject({ ipv6: true });
    expect(o.objects.get('veth/old/web-net')).toMatchObject({ name: 'vgone', peerNs: '', peerName: '', up: false });
  });

  it('converts routes, addresses, loopback, netns and sysctls', () => {
    expect(o.objects.get('route/web1/0.0.0.0/0')).toEqual({
      kind: 'route', key: 'route/web1/0.0.0.0/0', owner: { container: 'web1' }, ns: W1, family: 4, dst: '0.0.0.0/0', via: '10.10.0.1', dev: 'eth0', metric: 100,
    });
    expect(o.objects.get('addr/web1/eth0/10.10.0.10/16')).toMatchObject({ ns: W1, dev: 'eth0', family: 4, prefix: 16 });
    expect(o.objects.get('lo/web1')).toEqual({ kind: 'loopback', key: 'lo/web1', owner: { container: 'web1' }, ns: W1, up: false });
    expect(o.objects.get('netns/alias')).toEqual({ kind: 'netns', key: 'netns/alias', name: 'alias', path: '/run/netns/alias', shareOf: 'web1' });
    expect(o.objects.get('sysctl/host/net.ipv4.ip_forward')).toMatchObject({ value: '1', ns: HOST });
  });

  it('keeps foreign objects for conflict checks, without kernel side effects', () => {
    expect(o.foreign).toEqual([
      { kind: 'link', ns: HOST, name: 'eth0', linkKind: undefined, mtu: 1500 },
      { kind: 'link', ns: HOST, name: 'docker0', linkKind: 'bridge', mtu: 1500 },
      { kind: 'addr', ns: HOST, dev: 'eth0', family: 4, address: '192.168.1.5', prefix: 24 },
      { kind: 'route', ns: HOST, family: 4, dst: '0.0.0.0/0', protocol: 16, via: '192.168.1.1', dev: 'eth0' },
    ]);
  });

  it('lists dumped namespaces and existing owned ones as present', () => {
    expect([...o.presentNs].sort()).toEqual(['/run/netns/alias', W1, HOST].sort());
  });
});

describe('links half-created by a killed ctnet', () => {
  // Born in ctnet's link group (199) but never given their alias.
  const hostDump: NsDump = {
    ns: HOST,
    links: [
      { index: 1, name: 'lo', mtu: 65536, up: true },
      { index: 7, name: 'vchalf', kind: 'veth', mtu: 1500, up: false, group: 0xc7 },
      { index: 8, name: 'br-half', kind: 'bridge', mtu: 1500, up: false, group: 0xc7 },
      { index: 9, name: 'userveth', kind: 'veth', mtu: 1500, up: false },
    ],
    addrs: [], routes: [], sysctls: {},
  };
  const ctrDump: NsDump = {
    ns: W1,
    links: [{ index: 2, name: 'eth0', kind: 'veth', mtu: 1500, up: false, group: 0xc7 }],
    addrs: [], routes: [], sysctls: {},
  };
  const o = toObserved([hostDump, ctrDump], new Map([[HOST, 'host'], [W1, 'web1']]), []);

  it('are owned orphans in the host namespace, so the next apply deletes them', () => {
    expect(o.objects.get('orphan/vchalf')).toMatchObject({ kind: 'veth', name: 'vchalf', peerNs: '' });
    expect(o.objects.get('orphan/br-half')).toMatchObject({ kind: 'bridge', name: 'br-half' });
  });

  it('a container-side end is neither owned nor foreign (it dies with its host end)', () => {
    expect(o.foreign.filter((f) => f.ns === W1)).toEqual([]);
    expect([...o.objects.values()].some((x) => x.ns === W1 && x.kind !== 'loopback')).toBe(false);
  });

  it('links outside the group stay foreign', () => {
    expect(o.foreign).toContainEqual({ kind: 'link', ns: HOST, name: 'userveth', linkKind: 'veth', mtu: 1500 });
  });
});

describe('objects of another ctnet host', () => {
  // A second "host" namespace that ctnet also manages (nested setups, test sandboxes),
  // observed because it has a name under /run/netns.
  const other: NsDump = {
    ns: '/run/netns/otherhost',
    links: [
      { index: 1, name: 'lo', mtu: 65536, up: true },
      { index: 2, name: 'br-x', kind: 'bridge', alias: 'ctnet:bridge/x', mtu: 1500, up: true, group: 0xc7 },
      { index: 3, name: 'vcx', kind: 'veth', alias: 'ctnet:veth/c/x', mtu: 1500, up: true, master: 2, group: 0xc7 },
    ],
    addrs: [], routes: [], sysctls: {},
  };
  const hostOnly: NsDump = { ns: HOST, links: [{ index: 1, name: 'lo', mtu: 65536, up: true }], addrs: [], routes: [], sysctls: {} };
  const o = toObserved([hostOnly, other], new Map([[HOST, 'host'], ['/run/netns/otherhost', 'otherhost']]), []);

  it('are foreign: never changed by this host', () => {
    expect([...o.objects.keys()].filter((k) => !k.startsWith('lo/'))).toEqual([]);
    expect(o.foreign.map((f) => (f as { name: string }).name).sort()).toEqual(['br-x', 'vcx']);
  });
});

describe('a veth end seen without its host end (deleted between two namespace dumps)', () => {
  const hostDump: NsDump = { ns: HOST, links: [{ index: 1, name: 'lo', mtu: 65536, up: true }], addrs: [], routes: [], sysctls: {} };
  const ctrDump: NsDump = {
    ns: W1,
    links: [{ index: 2, name: 'eth0', kind: 'veth', alias: 'ctnet:veth/web1/web-net', mtu: 1500, up: true, group: 0xc7 }],
    addrs: [{ index: 2, family: 4, address: '10.10.0.10', prefix: 16, protocol: 0xc7, scope: 0 }],
    routes: [], sysctls: {},
  };
  const o = toObserved([hostDump, ctrDump], new Map([[HOST, 'host'], [W1, 'web1']]), []);

  it('is an owned orphan to delete, not a foreign link in the way', () => {
    expect(o.objects.get('orphan/web1/eth0')).toMatchObject({ kind: 'veth', ns: W1, name: 'eth0', peerNs: '' });
    expect(o.foreign.filter((f) => f.ns === W1)).toEqual([]);
  });
});
