import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp } from '../model/ip.js';
import { ipBytes, ipText, ipTextAt, macBytes, macText, macTextAt, parseCidr } from './inet.js';

describe('inet text <-> bytes', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['fd00:0:0:0:0:0:0:1', 'fd00::1'],
    ['FD00::1:0:0:0:1', 'fd00:0:0:1::1'],     // first of two equal runs is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
  ])('%s -> %s', (input, canonical) => {
    expect(ipText(ipBytes(input))).toBe(canonical);
  });

  it('formats IPv6 from bytes as model/ip formats its value (RFC 5952), zero runs of every length included', () => {
    // Groups drawn mostly from 0 and 1, so runs of zeros of every length and position (and ties) come up.
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
      const b = Buffer.alloc(16);
      g.forEach((x, i) => b.writeUInt16BE(x, 2 * i));
      const value = g.reduce((v, x) => (v << 16n) | BigInt(x), 0n);
      expect(ipText(b)).toBe(formatIp({ family: 6, value }));
    }), { numRuns: 2000 });
  });

  it('reads addresses and MACs at an offset of a message as from a copy of their bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.integer({ min: 0, max: 24 }), (bytes, at) => {
      const buf = Buffer.from(bytes);
      for (const len of [4, 16]) expect(ipTextAt(buf, at, len)).toBe(ipText(Buffer.from(buf.subarray(at, at + len))));
      expect(macTextAt(buf, at, 6)).toBe(macText(Buffer.from(buf.subarray(at, at + 6))));
    }), { numRuns: 500 });
  });

  it('rejects non-addresses with the text quoted', () => {
    expect(() => ipBytes('10.0.0')).toThrow('not an IP address: "10.0.0"');
    expect(() => macBytes('02:42')).toThrow('not a MAC address');
  });

  it('round-trips MACs in lower case and splits CIDRs', () => {
    expect(macText(macBytes('02:42:AC:11:00:0A'))).toBe('02:42:ac:11:00:0a');
    expect(parseCidr('0.0.0.0/0').len).toBe(0);
    expect(parseCidr('fd00::/64')).toEqual({ addr: ipBytes('fd00::'), len: 64 });
    expect(parseCidr('10.1.1.1').len).toBe(32);
  });
});
