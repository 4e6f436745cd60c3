// kindOfKey reads the kind without parsing the key: it must say what parseKey says, for every shape of key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addrKey, kindOfKey, labelOwned, loKey, parseKey, routeKey, sysctlKey, withOwner } from './keys.js';

describe('kindOfKey', () => {
  it.each(['veth/web1/net', 'addr/web1/eth0/10.0.0.2/24', 'route/host/10.20.0.0/16', 'nft/inet/ctnet', 'bridge/net',
    'netns/web1', 'lo/web1', 'sysctl/host/net/ipv4/ip_forward', 'hosts/web1', 'orphan/link/x', 'fwaccept/net', 'netns', ''])(
    '%s', (key) => expect(kindOfKey(key)).toBe(parseKey(key).kind));

  it('says what parseKey says of any text', () => {
    const part = fc.constantFrom('veth', 'addr', 'route', 'nft', 'bridge', 'netns', 'lo', 'sysctl', 'hosts', 'orphan', 'x', '', '10.0.0.2');
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
      const key = parts.join('/');
      expect(kindOfKey(key)).toBe(parseKey(key).kind);
    }), { numRuns: 3000 });
  });
});

describe('labelOwned', () => {
  // The makers of addresses, routes, loopbacks and sysctls set the owner from the namespace's label instead of
  // leaving withOwner() to parse the key they built from it: the two must agree for every label, the host's
  // ("host" names no container, even where a container is called host) and a leaving namespace's ("~name").
  it('sets what withOwner reads from the key', () => {
    const label = fc.oneof(fc.constantFrom('host', '~web1', 'web1', 'host2'), fc.stringMatching(/^~?[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/));
    const keyOf = fc.constantFrom(
      (l: string) => addrKey(l, 'eth0', '10.0.0.2', 24), (l: string) => addrKey(l, 'eth1', 'fd00::2', 64),
      (l: string) => routeKey(l, '0.0.0.0/0'), (l: string) => routeKey(l, '10.20.0.0/16'), (l: string) => loKey(l),
      (l: string) => sysctlKey(l, 'net/ipv4/ip_forward'));
    fc.assert(fc.property(label, keyOf, (l, k) => {
      const key = k(l);
      expect(labelOwned<{ key: string; owner?: { container?: string } }>({ key }, l).owner).toEqual(withOwner<{ key: string; owner?: object }>({ key }).owner);
    }), { numRuns: 2000 });
  });

  it('leaves an owner that names a container or network as it is', () => {
    const o = { key: 'veth/web1/net', owner: { container: 'other' } };
    expect(withOwner(o).owner).toEqual({ container: 'other' });
  });
});
