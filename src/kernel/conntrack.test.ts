// Entries of a ctnetlink dump, built here as the kernel sends them (nested attributes, network byte order),
// and which of them the selectors of nft/stale.ts pick. The real dump and deletes: test/netns/ports-change.test.ts.
import { describe, expect, it } from 'vitest';
import { parseFlow, selects } from './conntrack.js';
import { nla } from './nlmsg.js';

const NESTED = 1 << 15;
const be16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const be32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
const v4 = (s: string) => Buffer.from(s.split('.').map(Number));
const tuple = (type: number, src: string, dst: string, proto: number, sport: number, dport: number) => nla(type | NESTED, Buffer.concat([
  nla(1 | NESTED, Buffer.concat([nla(1, v4(src)), nla(2, v4(dst))])),
  nla(2 | NESTED, Buffer.concat([nla(1, Buffer.from([proto])), nla(2, be16(sport)), nla(3, be16(dport))])),
]));
/** A DNATed UDP stream from 10.9.0.2:40123 to the host's 10.9.0.1:5353, answered by 10.236.0.10:53. */
const entry = (status: number, zone?: number) => Buffer.concat([
  Buffer.from([2, 0, 0, 0]), // struct nfgenmsg: AF_INET
  tuple(1, '10.9.0.2', '10.9.0.1', 17, 40123, 5353),
  tuple(2, '10.236.0.10', '10.9.0.2', 17, 53, 40123),
  nla(3, be32(status)),
  ...(zone !== undefined ? [nla(18, be16(zone))] : []),
]);

describe('ctnetlink entries', () => {
  it('reads both directions, the DNAT flag, and keeps the original tuple and zone to delete it by', () => {
    const f = parseFlow(entry(0x20 | 0x8), 4)!;
    expect(f).toMatchObject({ proto: 'udp', origDst: '10.9.0.1', origDport: 5353, replySrc: '10.236.0.10', dnat: true });
    expect(f.tuple.length).toBeGreaterThan(20);
    expect(f.zone).toBeUndefined();
    expect(parseFlow(entry(0x8, 7), 4)).toMatchObject({ dnat: false, zone: be16(7) });
    expect(parseFlow(Buffer.from([2, 0, 0, 0]), 4)).toBeUndefined(); // no tuples: nothing to select
  });

  it('reads IPv6 entries (their own address attributes)', () => {
    const v6 = (last: number) => { const b = Buffer.alloc(16); b.writeUInt16BE(0xfd00, 0); b[15] = last; return b; };
    const t6 = (type: number, src: number, dst: number) => nla(type | NESTED, Buffer.concat([
      nla(1 | NESTED, Buffer.concat([nla(3, v6(src)), nla(4, v6(dst))])),
      nla(2 | NESTED, Buffer.concat([nla(1, Buffer.from([6])), nla(2, be16(41000)), nla(3, be16(8080))])),
    ]));
    const f = parseFlow(Buffer.concat([Buffer.from([10, 0, 0, 0]), t6(1, 2, 1), t6(2, 16, 2), nla(3, be32(0x20))]), 6);
    expect(f).toMatchObject({ proto: 'tcp', origDst: 'fd00::1', origDport: 8080, replySrc: 'fd00::10', dnat: true });
    expect(parseFlow(entry(0x20), 6)).toBeUndefined(); // IPv4 addresses where IPv6 ones were asked for
  });

  it('selects a DNATed flow by the container answering it, or a flow by its published port', () => {
    const dnat = parseFlow(entry(0x20), 4)!;
    const plain = parseFlow(entry(0), 4)!;
    expect(selects({ family: 4, dnatReplySrc: '10.236.0.10' }, dnat)).toBe(true);
    expect(selects({ family: 4, dnatReplySrc: '10.236.0.10' }, plain)).toBe(false); // not DNATed: not a published port's
    expect(selects({ family: 4, dnatReplySrc: '10.236.0.11' }, dnat)).toBe(false);
    expect(selects({ family: 4, proto: 'udp', port: 5353 }, plain)).toBe(true);
    expect(selects({ family: 4, proto: 'tcp', port: 5353 }, plain)).toBe(false);
    expect(selects({ family: 4, proto: 'udp', port: 5353, origDst: '10.9.0.1' }, plain)).toBe(true);
    expect(selects({ family: 4, proto: 'udp', port: 5353, origDst: '10.9.0.5' }, plain)).toBe(false);
  });
});
