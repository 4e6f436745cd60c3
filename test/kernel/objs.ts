// Builders for the model objects the kernel tests feed to run().
import type { AddrObj, BridgeObj, NetnsObj, RouteObj, VethObj } from '../../src/model/state.js';

export const netnsObj = (name: string): NetnsObj => ({ kind: 'netns', key: `netns/${name}`, name, path: `/run/netns/${name}` });

export const bridgeObj = (name: string, mac = '02:42:0a:4d:00:01'): BridgeObj =>
  ({ kind: 'bridge', key: `bridge/${name}`, ns: 'host', name, mtu: 1500, mac, up: true });

export function vethObj(name: string, bridge: string, peerNs: string, i: number, ipv6 = true): VethObj {
  const hex = (i & 0xff).toString(16).padStart(2, '0');
  return {
    kind: 'veth', key: `veth/${name}/net`, ns: 'host', name, bridge, mtu: 1500, up: true,
    peerNs, peerName: 'eth0', peerMac: `02:42:0a:4e:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${hex}`, peerUp: true, ipv6,
  };
}

export const addrObj = (ns: string, dev: string, address: string, prefix: number): AddrObj =>
  ({ kind: 'addr', key: `addr/${ns}/${dev}/${address}/${prefix}`, ns, dev, family: address.includes(':') ? 6 : 4, address, prefix });

export const routeObj = (ns: string, dst: string, via?: string, dev?: string): RouteObj =>
  ({ kind: 'route', key: `route/${ns}/${dst}`, ns, family: dst.includes(':') ? 6 : 4, dst, via, dev });
