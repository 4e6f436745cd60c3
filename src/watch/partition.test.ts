import { describe, expect, it } from 'vitest';
import type { NsDump, RawLink } from '../kernel/port.js';
import { HOST, type DesiredState, type OwnedObj } from '../model/state.js';
import { desiredSlice, partitionOf, rawSlice } from './partition.js';

const A = '/run/netns/a';
const B = '/run/netns/b';
const labels = new Map([[HOST, 'host'], [A, 'ca'], [B, 'cb']]);
const byLabel = new Map([['ca', A], ['cb', B]]);
const veth = (c: string, peerNs: string): OwnedObj => ({ kind: 'veth', key: `veth/${c}/n`, ns: HOST, name: `v${c}`, bridge: 'br', mtu: 1500, up: true, peerNs, peerName: 'eth0', peerMac: '', peerUp: true, ipv6: false });

describe('partitions of the host', () => {
  it('a container owns its namespace contents, its veths, its namespace object and its hosts files', () => {
    expect(partitionOf(veth('ca', A), byLabel)).toBe(A);
    expect(partitionOf({ kind: 'netns', key: 'netns/b', name: 'b', path: B }, byLabel)).toBe(B);
    expect(partitionOf({ kind: 'hosts', key: 'hosts/cb', ns: HOST, path: '/x', block: '' }, byLabel)).toBe(B);
    expect(partitionOf({ kind: 'addr', key: 'addr/ca/eth0/10.0.0.2/24', ns: A, dev: 'eth0', family: 4, address: '10.0.0.2', prefix: 24 }, byLabel)).toBe(A);
  });
  it('bridges, host addresses and unattributable objects are the host part', () => {
    expect(partitionOf({ kind: 'bridge', key: 'bridge/n', ns: HOST, name: 'br', mtu: 1500, mac: '', up: true }, byLabel)).toBe(HOST);
    expect(partitionOf(veth('gone', ''), byLabel)).toBe(HOST); // a container the topology no longer has
  });
  it('a slice keeps the host part and the scope, drops the other containers', () => {
    const objects = new Map<string, OwnedObj>([veth('ca', A), veth('cb', B), { kind: 'bridge', key: 'bridge/n', ns: HOST, name: 'br', mtu: 1500, mac: '', up: true }].map((o) => [o.key, o]));
    const d: DesiredState = { objects, origin: new Map(), nsLabels: labels };
    expect(new Set(desiredSlice(d, new Set([A])).objects.keys())).toEqual(new Set(['veth/ca/n', 'bridge/n']));
  });
  it('the raw host dump in a slice loses the veth ends of containers outside it, nothing else', () => {
    const l = (name: string, alias?: string): RawLink => ({ index: name.length, name, mtu: 1500, up: true, ...(alias ? { alias } : {}) });
    const host: NsDump = { ns: HOST, links: [l('lo'), l('br', 'ctnet:bridge/n'), l('vca', 'ctnet:veth/ca/n'), l('vcb', 'ctnet:veth/cb/n'), l('eth0')], addrs: [], routes: [], sysctls: {} };
    const s = rawSlice({ dumps: new Map([[HOST, host], [A, null], [B, null]]), owned: [], files: [], nft: null }, new Set([A]), labels);
    expect(s.dumps.get(HOST)!.links.map((x) => x.name)).toEqual(['lo', 'br', 'vca', 'eth0']);
    expect([...s.dumps.keys()]).toEqual([HOST, A]);
  });
});
