import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { compileZone, decide, fromZone } from './answer.js';
import type { DnsZone } from './config.js';
import { decideMemo, fromZoneMemo } from './memo.js';

const zone: DnsZone = {
  network: 'a', listen: '10.60.0.1', subnets: ['10.60.0.0/24'],
  records: [{ names: ['web1', 'nginx'], ipv4: '10.60.0.10', ipv6: 'fd00:60::10' }, { names: ['db'], ipv4: '10.60.0.20' }],
};
const query = (name: string, type: string, id: number, flags = dnsPacket.RECURSION_DESIRED) =>
  dnsPacket.encode({ type: 'query', id, flags, questions: [{ type: type as 'A', name, class: 'IN' }] });

describe('memoised dns answers', () => {
  it('gives byte for byte what decide() gives, with each query\'s own id, on first and repeated asks', () => {
    const z = compileZone(zone);
    const msgs = [
      query('web1', 'A', 1), query('web1', 'A', 65535), query('WEB1', 'A', 2), query('nginx', 'AAAA', 3),
      query('db', 'AAAA', 4), query('db', 'A', 5, 0), query('unknown', 'A', 6), query('20.0.60.10.in-addr.arpa', 'PTR', 7),
      Buffer.from([0, 9, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // opcode 15: NOTIMP
    ];
    for (let round = 0; round < 3; round++) {
      for (const [i, m] of msgs.entries()) {
        const q = Buffer.from(m);
        q.writeUInt16BE((i * 7919 + round * 104729) & 0xffff, 0);
        for (const inside of [true, false]) {
          const want = decide(q, z, false, inside);
          expect(want.kind).toBe('answer');
          expect(decideMemo(q, z, false, inside)).toEqual(want);
        }
      }
    }
  });

  it('does not keep forwards or drops, and a new zone object starts afresh', () => {
    const z = compileZone(zone);
    const fwd = query('example.test', 'A', 42);
    expect(decideMemo(fwd, z, true, true)).toEqual({ kind: 'forward', id: 42 });
    const again = Buffer.from(fwd);
    again.writeUInt16BE(43, 0);
    expect(decideMemo(again, z, true, true)).toEqual({ kind: 'forward', id: 43 });
    expect(decideMemo(Buffer.from([1, 2, 3]), z, true, true)).toEqual({ kind: 'drop' });

    const q = query('db', 'A', 9);
    const first = decideMemo(q, z, false, true);
    const moved = compileZone({ ...zone, records: [{ names: ['db'], ipv4: '10.60.0.99' }] });
    const d = decideMemo(q, moved, false, true);
    expect(d).toEqual(decide(q, moved, false, true));
    expect(d).not.toEqual(first);
  });

  it('remembers whether a source address is inside the zone', () => {
    const z = compileZone(zone);
    for (const ip of ['10.60.0.7', '::ffff:10.60.0.7', '10.61.0.7', 'fd00::1', '10.60.0.7']) expect(fromZoneMemo(z, ip)).toBe(fromZone(z, ip));
  });
});
