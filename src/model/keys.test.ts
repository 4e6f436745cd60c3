// kindOfKey reads the kind without parsing the key: it must say what parseKey says, for every shape of key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kindOfKey, parseKey } from './keys.js';

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
