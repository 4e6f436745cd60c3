// routing: vxlan / auto, compiled (pure): the overlay device, its entries and the routes through it come
// from the file alone; auto decides host-gw or overlay per host from what the host namespace is connected
// to; the overlay's MTU follows the underlay device's, and the networks take it unless they set theirs.
import { describe, expect, it } from 'vitest';
import { emptyObserved, HOST, type ObservedState, type RouteObj, type VxlanObj } from '../../src/model/state.js';
import { checkTexts, compile } from '../../src/spec/index.js';

const topo = (mode: string, mtu = '') => checkTexts([{ file: 't.yaml', text: `version: 1
routing: { mode: ${mode}, vni: 77 }
hosts:
  h1: { address: 10.71.0.2 }
  h2: { address: 10.71.0.3 }
  h3: { address: 10.73.0.2 }
networks:
  n1: { subnet: 172.29.1.0/24, host: h1${mtu} }
  n2: { subnet: 172.29.2.0/24, host: h2 }
  n3: { subnet: 172.29.3.0/24, host: h3 }
containers:
  c1: { netns: c1, create: true, host: h1, networks: [n1] }
` }]).topology!;

/** h1's uplink (foreign to ctnet): 10.71.0.2/24 on a device of MTU `mtu`. */
function uplink(mtu: number): ObservedState {
  const o = emptyObserved();
  o.foreign.push({ kind: 'link', ns: HOST, name: 'uplink', mtu }, { kind: 'addr', ns: HOST, dev: 'uplink', family: 4, address: '10.71.0.2', prefix: 24 });
  return o;
}
const routes = (objs: Map<string, unknown>) => [...objs.values()].filter((o): o is RouteObj => (o as RouteObj).kind === 'route' && (o as RouteObj).ns === HOST);

describe('routing: vxlan and auto (compile)', () => {
  it('vxlan: one device, an entry pair per remote host, onlink routes through it, container MTU 1450', () => {
    const d = compile(topo('vxlan'), uplink(1500), { host: 'h1' });
    const vx = d.objects.get('vxlan/77') as VxlanObj;
    expect(vx).toMatchObject({ kind: 'vxlan', name: 'ctv77', vni: 77, port: 4789, local: '10.71.0.2', mtu: 1450, mac: '02:c7:0a:47:00:02' });
    expect(vx.fdb).toEqual([{ mac: '02:c7:0a:47:00:03', dst: '10.71.0.3' }, { mac: '02:c7:0a:49:00:02', dst: '10.73.0.2' }]);
    expect(vx.neigh).toEqual([{ ip: '10.71.0.3', mac: '02:c7:0a:47:00:03' }, { ip: '10.73.0.2', mac: '02:c7:0a:49:00:02' }]);
    expect(routes(d.objects).map((r) => [r.dst, r.via, r.dev, r.onlink])).toEqual([
      ['172.29.2.0/24', '10.71.0.3', 'ctv77', true], ['172.29.3.0/24', '10.73.0.2', 'ctv77', true]]);
    expect(d.objects.get('bridge/n1')).toMatchObject({ mtu: 1450 });
    expect(d.objects.get('veth/c1/n1')).toMatchObject({ mtu: 1450 });
  });

  it('the overlay MTU is the underlay\'s minus 50; a network that sets its mtu keeps it', () => {
    expect((compile(topo('vxlan'), uplink(9000), { host: 'h1' }).objects.get('vxlan/77') as VxlanObj).mtu).toBe(8950);
    expect(compile(topo('vxlan', ', mtu: 1400'), uplink(1500), { host: 'h1' }).objects.get('bridge/n1')).toMatchObject({ mtu: 1400 });
    expect(compile(topo('vxlan'), uplink(9000), { host: 'h1' }).objects.get('bridge/n1')).toMatchObject({ mtu: 1500 });
  });

  it('auto: host-gw to the host on the same segment, the overlay to the routed one', () => {
    const d = compile(topo('auto'), uplink(1500), { host: 'h1' });
    expect(routes(d.objects).map((r) => [r.dst, r.via, r.dev, r.onlink])).toEqual([
      ['172.29.2.0/24', '10.71.0.3', undefined, undefined], ['172.29.3.0/24', '10.73.0.2', 'ctv77', true]]);
    expect((d.objects.get('vxlan/77') as VxlanObj).fdb).toEqual([{ mac: '02:c7:0a:49:00:02', dst: '10.73.0.2' }]);
  });

  it('auto with every host directly connected makes no overlay; host-gw never does', () => {
    const o = uplink(1500);
    o.foreign.push({ kind: 'addr', ns: HOST, dev: 'uplink', family: 4, address: '10.73.0.9', prefix: 24 });
    expect(compile(topo('auto'), o, { host: 'h1' }).objects.has('vxlan/77')).toBe(false);
    expect([...compile(topo('host-gw'), uplink(1500), { host: 'h1' }).objects.keys()].some((k) => k.startsWith('vxlan/'))).toBe(false);
  });

  it('no masquerade toward the overlay\'s subnets, and the firewall lets them in to the local bridges only', () => {
    const d = compile(topo('vxlan'), uplink(1500), { host: 'h1' });
    const table = JSON.stringify(d.objects.get('nft/inet/ctnet'));
    expect(table).toContain('no masquerade to peer subnet 172.29.2.0/24');
    expect(table).toContain('allow n1 from peer subnet 172.29.3.0/24');
  });
});
