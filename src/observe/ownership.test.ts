// isNoiseAddr and isNoiseRoute read "link-local" from an address's text: they must say what the address's
// value says, for any IPv6 address in any of its texts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, parseCidr, parseIp } from '../model/ip.js';
import { isNoiseAddr, isNoiseRoute } from './ownership.js';

const LINK_LOCAL = parseCidr('fe80::/10')!;
const linkLocal = (text: string) => contains(LINK_LOCAL, parseIp(text)!);
const addr = (address: string) => ({ index: 2, family: 6 as const, address, prefix: 64, protocol: 0, scope: 0 });
const route = (dst: string) => ({ family: 6 as const, table: 254, dst, protocol: 4, type: 'UNICAST' });

describe('link-local IPv6 from the text', () => {
  it.each(['fe80::1', 'FE80::1', 'febf:ffff::1', 'fe80:0:0:0:a:b:c:d', 'fe80::1.2.3.4'])('%s is', (a) => {
    expect(isNoiseAddr(addr(a))).toBe(true);
  });
  it.each(['fec0::1', 'fe7f::1', 'fe8::1', '::fe80:1', '::ffff:10.0.0.1', '2001:db8::1', '::'])('%s is not', (a) => {
    expect(isNoiseAddr(addr(a))).toBe(false);
  });
  it('agrees with the address value for any IPv6 text', () => {
    // Near fe80::/10 as often as anywhere else, and every way of writing the first group.
    const near = fc.tuple(fc.integer({ min: 0xfe00, max: 0xfeff }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 7, maxLength: 7 }))
      .map(([g, rest]) => [g, ...rest].map((x) => x.toString(16)).join(':'));
    fc.assert(fc.property(fc.oneof(fc.ipV6(), near), (text) => {
      expect(isNoiseAddr(addr(text))).toBe(linkLocal(text));
      expect(isNoiseRoute(route(`${text}/64`))).toBe(linkLocal(text) || text.toLowerCase().startsWith('ff'));
    }), { numRuns: 5000 });
  });
});
