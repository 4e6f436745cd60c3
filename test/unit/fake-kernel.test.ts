// The fake must behave like the kernel where the planner relies on it (KERNEL-FACTS A2/A3/A5).
import { describe, expect, it } from 'vitest';
import type { BridgeObj, RouteObj, VethObj } from '../../src/model/state.js';
import { HOST } from '../../src/model/state.js';
import { FakeKernel } from '../support/fake-kernel.js';

const W = '/run/netns/c1';
const br: BridgeObj = { kind: 'bridge', key: 'bridge/n', ns: HOST, name: 'br0', mtu: 1500, mac: '02:00:00:00:00:01', up: true };
const v: VethObj = {
  kind: 'veth', key: 'veth/c1/n', ns: HOST, name: 'vc1', bridge: 'br0', mtu: 1400, up: true,
  peerNs: W, peerName: 'eth0', peerMac: '02:00:00:00:00:02', peerUp: true, ipv6: false,
};
const route: RouteObj = { kind: 'route', key: 'route/c1/0.0.0.0/0', ns: W, family: 4, dst: '0.0.0.0/0', via: '10.0.0.1' };
const names = async (k: FakeKernel, ns: string) => (await k.dump(ns, []))?.links.map((l) => l.name);

async function wired() {
  const k = new FakeKernel();
  await k.run({ op: 'netns.create', obj: { kind: 'netns', key: 'netns/c1', name: 'c1', path: W } });
  await k.run({ op: 'link.create', obj: br });
  await k.run({ op: 'link.create', obj: v });
  await k.run({ op: 'addr.add', obj: { kind: 'addr', key: 'a', ns: W, dev: 'eth0', family: 4, address: '10.0.0.2', prefix: 24 } });
  await k.run({ op: 'route.replace', obj: route });
  return k;
}

describe('FakeKernel', () => {
  it('creates marked links with the peer inside its namespace', async () => {
    const k = await wired();
    const host = (await k.dump(HOST, []))!;
    expect(host.links.find((l) => l.name === 'vc1')).toMatchObject({ kind: 'veth', alias: 'ctnet:veth/c1/n', mtu: 1400, master: 2, group: 0xc7 });
    const c = (await k.dump(W, []))!;
    expect(c.links.map((l) => [l.name, l.up])).toEqual([['lo', true], ['eth0', true]]);
    expect(c.addrs).toEqual([{ index: 2, family: 4, address: '10.0.0.2', prefix: 24, protocol: 0xc7, scope: 0 }]);
    expect(c.routes).toEqual([
      { family: 4, table: 254, dst: '10.0.0.0/24', oif: 2, protocol: 2, type: 'UNICAST' },
      { family: 4, table: 254, dst: '0.0.0.0/0', gateway: '10.0.0.1', oif: 2, protocol: 0xc7, type: 'UNICAST' },
    ]);
    expect(await k.listOwnedNetns()).toEqual([{ name: 'c1', path: W, exists: true }]);
  });

  it('rejects duplicates and missing devices with the kernel errno', async () => {
    const k = await wired();
    await expect(k.run({ op: 'link.create', obj: br })).rejects.toMatchObject({ errno: 'EEXIST' });
    await expect(k.run({ op: 'link.create', obj: { ...v, name: 'vc2', bridge: 'nope' } })).rejects.toMatchObject({ errno: 'ENODEV' });
    await expect(k.run({ op: 'link.create', obj: { ...v, name: 'vc2' } })).rejects.toMatchObject({ errno: 'EEXIST' }); // eth0 taken in c1
    await expect(k.run({ op: 'route.replace', obj: { ...route, via: '10.9.9.9' } })).rejects.toMatchObject({ errno: 'ENETUNREACH' });
    await expect(k.run({ op: 'route.delete', obj: { ...route, metric: 5 } })).rejects.toMatchObject({ errno: 'ESRCH' });
  });

  it('deletes a veth with its peer, and the peer\'s addresses and routes with it', async () => {
    const k = await wired();
    await k.run({ op: 'link.delete', ns: HOST, objs: [v] });
    expect(await names(k, HOST)).toEqual(['lo', 'br0']);
    const c = (await k.dump(W, []))!;
    expect([c.links.map((l) => l.name), c.addrs, c.routes]).toEqual([['lo'], [], []]);
  });

  it('group-deletes; a link that is already gone counts as deleted', async () => {
    const k = await wired();
    await k.run({ op: 'link.delete', ns: HOST, objs: [{ ...v, name: 'gone' }] });
    expect(await names(k, HOST)).toEqual(['lo', 'br0', 'vc1']);
    await k.run({ op: 'link.delete', ns: HOST, objs: [br, v, { ...v, name: 'gone' }] });
    expect(await names(k, HOST)).toEqual(['lo']);
  });

  it('deleting a namespace takes its veth ends along; a marker without namespace still lists', async () => {
    const k = await wired();
    await k.run({ op: 'netns.delete', obj: { kind: 'netns', key: 'netns/c1', name: 'c1', path: W } });
    expect(await names(k, HOST)).toEqual(['lo', 'br0']);
    expect(await k.dump(W, [])).toBeNull();
    const k2 = await wired();
    k2.removeNamespace(W);
    expect(await k2.listOwnedNetns()).toEqual([{ name: 'c1', path: W, exists: false }]);
  });

  it('route REPLACE takes over a foreign route with the same dst and metric', async () => {
    const k = await wired();
    k.addRoute(W, { dst: '10.50.0.0/16', via: '10.0.0.9' });
    await k.run({ op: 'route.replace', obj: { ...route, key: 'r2', dst: '10.50.0.0/16' } });
    const r = (await k.dump(W, []))!.routes.filter((x) => x.dst === '10.50.0.0/16');
    expect(r).toEqual([{ family: 4, table: 254, dst: '10.50.0.0/16', gateway: '10.0.0.1', oif: 2, protocol: 0xc7, type: 'UNICAST' }]);
  });

  it('failAt(n) makes the n-th run throw without changing anything', async () => {
    const k = await wired();
    k.failAt(2);
    await k.run({ op: 'sysctl.set', obj: { kind: 'sysctl', key: 's', ns: W, path: 'net.ipv4.ip_forward', value: '1' } });
    await expect(k.run({ op: 'link.delete', ns: HOST, objs: [v] })).rejects.toThrow(/injected/);
    expect(await names(k, HOST)).toEqual(['lo', 'br0', 'vc1']);
    expect((await k.dump(W, ['net.ipv4.ip_forward', 'x']))!.sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
  });
});
