import { describe, expect, it } from 'vitest';
import { canonicalIp, contains, firstUsable, formatCidr, formatIp, overlaps, parseCidr, parseIp } from './ip.js';

describe('ip', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['fd00:1:0:0:0:0:0:0', 'fd00:1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
  ])('canonical %s -> %s', (input, want) => expect(canonicalIp(input)).toBe(want));

  it.each(['10.0.0', '10.0.0.256', '01.0.0.1', '1::2::3', 'fd00::zz', '1:2:3:4:5:6:7:8:9', ''])('rejects %s', (s) =>
    expect(parseIp(s)).toBeUndefined());

  it('parses CIDRs, masks host bits and reports them', () => {
    expect(parseCidr('10.10.0.5/16')).toMatchObject({ prefix: 16, hostBits: true });
    expect(formatCidr(parseCidr('10.10.0.5/16')!)).toBe('10.10.0.0/16');
    expect(formatCidr(parseCidr('FD00:10::/64')!)).toBe('fd00:10::/64');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  it('computes membership, overlap and the first usable address', () => {
    const a = parseCidr('10.10.0.0/16')!, b = parseCidr('10.10.255.0/24')!, c = parseCidr('10.11.0.0/16')!;
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(contains(a, parseIp('10.10.3.4')!)).toBe(true);
    expect(contains(a, parseIp('fd00::1')!)).toBe(false);
    expect(formatIp(firstUsable(a))).toBe('10.10.0.1');
    expect(formatIp(firstUsable(parseCidr('fd00:10::/64')!))).toBe('fd00:10::1');
  });
});
