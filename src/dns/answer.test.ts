import dnsPacket, { type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { compileZone, decide, RCODE, reverseName } from './answer.js';
import type { DnsZone } from './config.js';

const zoneA: DnsZone = {
  network: 'a', listen: '10.50.0.1', subnets: ['10.50.0.0/24'],
  records: [{ names: ['web1', 'nginx'], ipv4: '10.50.0.10', ipv6: 'fd00:50::10' }, { names: ['db'], ipv4: '10.50.0.20' }],
};
const zoneB: DnsZone = { network: 'b', listen: '10.51.0.1', subnets: ['10.51.0.0/24'], records: [{ names: ['secret'], ipv4: '10.51.0.5' }] };
const A = compileZone(zoneA);
const B = compileZone(zoneB);

const query = (name: string, type: string, id = 7) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name, class: 'IN' }] });
function answer(msg: Buffer, z = A, canForward = false): Packet & { rcode?: string } {
  const d = decide(msg, z, canForward);
  if (d.kind !== 'answer') throw new Error(`expected an answer, got ${d.kind}`);
  return dnsPacket.decode(d.response) as Packet & { rcode?: string };
}

describe('dns answers', () => {
  it('answers A and AAAA for names and aliases, case-insensitively, with TTL 0 and the query id', () => {
    const r = answer(query('NGINX', 'A', 4242));
    expect(r).toMatchObject({ id: 4242, type: 'response', rcode: 'NOERROR' });
    expect(r.answers).toEqual([expect.objectContaining({ type: 'A', name: 'NGINX', data: '10.50.0.10', ttl: 0 })]);
    expect(r.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
    expect(answer(query('web1', 'AAAA')).answers).toEqual([expect.objectContaining({ type: 'AAAA', data: 'fd00:50::10' })]);
  });

  it('gives NODATA (NOERROR, no answers) for a known name without an address of that family', () => {
    const r = answer(query('db', 'AAAA'));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(answer(query('db', 'MX')).answers).toEqual([]);
  });

  it('answers PTR for the zone\'s addresses (v4 and v6) and NXDOMAIN for unknown ones in its subnet', () => {
    expect(answer(query(reverseName('10.50.0.20'), 'PTR')).answers).toEqual([expect.objectContaining({ type: 'PTR', data: 'db' })]);
    expect(reverseName('fd00:50::10')).toBe(`0.1.0.0.${'0.'.repeat(20)}0.5.0.0.0.0.d.f.ip6.arpa`);
    expect(answer(query(reverseName('fd00:50::10'), 'PTR')).answers?.[0]).toMatchObject({ data: 'web1' });
    expect(answer(query(reverseName('10.50.0.99'), 'PTR')).rcode).toBe('NXDOMAIN');
  });

  it('scopes by zone: network A\'s server knows nothing of network B\'s containers', () => {
    expect(answer(query('secret', 'A'), A).rcode).toBe('REFUSED'); // not ours, and nowhere to forward
    expect(decide(query('secret', 'A'), A, true)).toEqual({ kind: 'forward', id: 7 });
    expect(answer(query(reverseName('10.51.0.5'), 'PTR'), A).rcode).toBe('REFUSED');
    expect(answer(query('secret', 'A'), B).answers?.[0]).toMatchObject({ data: '10.51.0.5' });
    expect(answer(query('web1', 'A'), B).rcode).toBe('REFUSED');
  });

  it('forwards other names when there are upstreams, REFUSED otherwise', () => {
    expect(decide(query('example.org', 'A', 9), A, true)).toEqual({ kind: 'forward', id: 9 });
    expect(answer(query('example.org', 'A'), A, false).rcode).toBe('REFUSED');
  });

  it('drops malformed messages and responses, and rejects multi-question queries with FORMERR', () => {
    expect(decide(Buffer.from([1, 2, 3]), A, true)).toEqual({ kind: 'drop' });
    expect(decide(Buffer.alloc(0), A, true)).toEqual({ kind: 'drop' });
    const cut = query('web1', 'A').subarray(0, 20);
    expect(decide(cut, A, true)).toEqual({ kind: 'drop' });
    const lying = Buffer.from(query('web1', 'A'));
    lying.writeUInt16BE(40, 4); // claims 40 questions
    expect(decide(lying, A, true)).toEqual({ kind: 'drop' });
    const resp = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'web1', class: 'IN' }], answers: [] });
    expect(decide(resp, A, true)).toEqual({ kind: 'drop' });
    const two = dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'A', name: 'web1', class: 'IN' }, { type: 'A', name: 'db', class: 'IN' }] });
    expect(answer(two).rcode).toBe('FORMERR');
    expect(RCODE.FORMERR).toBe(1);
  });
});
