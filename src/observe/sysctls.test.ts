// withSysctls: a conversion made good for sysctl values read after it equals converting again.
import { describe, expect, it } from 'vitest';
import type { NsDump } from '../kernel/port.js';
import { HOST } from '../model/state.js';
import { fromRaw, withSysctls, type Observation } from './index.js';

const C1 = '/run/netns/c1';
const dump = (ns: string, sysctls: Record<string, string> = {}): NsDump => ({
  ns,
  links: [{ index: 1, name: 'lo', mtu: 65536, up: true }, { index: 2, name: 'eth0', kind: 'veth', alias: 'ctnet:veth/c1/net', mtu: 1500, up: true }],
  addrs: [{ index: 2, family: 4, address: '10.1.0.2', prefix: 16, protocol: 0xc7, scope: 0 }],
  routes: [],
  sysctls,
});
const obs = (host: NsDump, c1: NsDump | null): Observation =>
  ({ dumps: new Map<string, NsDump | null>([[HOST, host], [C1, c1]]), owned: [], files: [], nft: null, routes: [] });
const labels = new Map([[C1, 'c1']]);

describe('withSysctls', () => {
  it('adds the sysctls read since to the conversion, as converting again would', () => {
    {
      const before = obs(dump(HOST), dump(C1));
      const after = { ...before, dumps: new Map(before.dumps).set(HOST, dump(HOST, { 'net/ipv4/ip_forward': '1' })).set(C1, dump(C1, { 'net/ipv6/conf/eth0/disable_ipv6': '1' })) };
      const patched = withSysctls(fromRaw(before, labels), before, after, labels);
      expect(patched).toEqual(fromRaw(after, labels));
      expect([...patched!.objects.keys()]).toEqual([...fromRaw(after, labels).objects.keys()]); // the same order
    }
  });

  it('is the conversion itself when nothing changed, and gives up on a namespace it does not label', () => {
    const before = obs(dump(HOST), dump(C1));
    const converted = fromRaw(before, labels);
    expect(withSysctls(converted, before, before, labels)).toBe(converted);
    const after = { ...before, dumps: new Map(before.dumps).set(C1, dump(C1, { 'net/ipv4/ip_forward': '0' })) };
    expect(withSysctls(converted, before, after, new Map())).toBeUndefined();
    // Another project's namespace (its links carry the default project's marks): converted again, not patched.
    expect(withSysctls(fromRaw(before, labels, 'other'), before, after, labels, 'other')).toBeUndefined();
  });
});
