// Pure: the server's decision for one DNS message against one zone. Answers
// A/AAAA/PTR for the zone's names with TTL 0 (a recreated container's new
// address is seen at once); a known name without an address of the asked family
// gets NODATA (NOERROR, no answers), since glibc asks AAAA and A together and
// NXDOMAIN would make it give up. Everything else is forwarded, or REFUSED when
// there is nowhere to forward to. A message that does not decode is dropped.
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { contains, parseCidr, parseIp, reverseName as reverseOf, type Cidr } from '../model/ip.js';
import type { DnsZone } from './config.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface CompiledZone {
  zone: DnsZone;
  byName: Map<string, { v4: string[]; v6: string[] }>;
  ptr: Map<string, string>;     // reverse name -> first name of the container
  subnets: Cidr[];              // the zone's subnets, IPv4 and IPv6
}

export type Decision = { kind: 'answer'; response: Buffer } | { kind: 'forward'; id: number } | { kind: 'drop' };

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The reverse name of an address (the records hold canonical addresses, which always parse). */
export const reverseName = (ip: string): string => reverseOf(ip) ?? ip;

export function compileZone(zone: DnsZone): CompiledZone {
  const byName = new Map<string, { v4: string[]; v6: string[] }>();
  const ptr = new Map<string, string>();
  for (const r of zone.records) {
    for (const n of r.names) {
      const e = byName.get(lower(n)) ?? { v4: [], v6: [] };
      if (r.ipv4 && !e.v4.includes(r.ipv4)) e.v4.push(r.ipv4);
      if (r.ipv6 && !e.v6.includes(r.ipv6)) e.v6.push(r.ipv6);
      byName.set(lower(n), e);
    }
    for (const ip of [r.ipv4, r.ipv6]) if (ip && !ptr.has(reverseName(ip))) ptr.set(reverseName(ip), r.names[0]);
  }
  return { zone, byName, ptr, subnets: zone.subnets.flatMap((s) => parseCidr(s) ?? []) };
}

/** True when `name` is the reverse name of an IPv4 address inside the zone's subnet. */
function inOurReverse(z: CompiledZone, name: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  if (!m) return false;
  return inSubnet(z, `${m[4]}.${m[3]}.${m[2]}.${m[1]}`);
}

function reply(q: Packet, rcode: number, answers: Answer[], authoritative: boolean): Buffer {
  const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const flags = rd | dnsPacket.RECURSION_AVAILABLE | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcode;
  return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags, questions: q.questions ?? [], answers });
}

/** True when `ip` (the query's source) is an address of one of the zone's subnets (an IPv4 client of a
 *  dual-stack socket shows as ::ffff:a.b.c.d). */
export function fromZone(z: CompiledZone, ip: string): boolean {
  return inSubnet(z, ip.startsWith('::ffff:') ? ip.slice(7) : ip);
}

function inSubnet(z: CompiledZone, addr: string): boolean {
  const ip = parseIp(addr);
  return !!ip && z.subnets.some((s) => contains(s, ip));
}

/** `inside`: the client is on the zone's network. Names are answered to insiders only (a client
 *  that reaches this gateway from another network is treated as not knowing the zone). */
export function decide(msg: Buffer, z: CompiledZone, canForward: boolean, inside = true): Decision {
  let q: Packet & { opcode?: string };
  try {
    q = dnsPacket.decode(msg) as Packet & { opcode?: string };
  } catch {
    return { kind: 'drop' }; // not DNS, or cut short: nothing sensible to say, and no crash
  }
  if (q.type !== 'query') return { kind: 'drop' };
  if (q.opcode !== 'QUERY') return { kind: 'answer', response: reply({ ...q, questions: [] }, RCODE.NOTIMP, [], false) };
  if (q.questions?.length !== 1) return { kind: 'answer', response: reply({ ...q, questions: [] }, RCODE.FORMERR, [], false) };
  const { name } = q.questions[0];
  const type = q.questions[0].type as string; // dns-packet's types omit ANY (255), which it decodes
  const key = lower(name);
  const hit = inside ? z.byName.get(key) : undefined;
  if (hit) {
    const answers: Answer[] = [];
    if (type === 'A' || type === 'ANY') for (const ip of hit.v4) answers.push({ type: 'A', name, ttl: 0, class: 'IN', data: ip });
    if (type === 'AAAA' || type === 'ANY') for (const ip of hit.v6) answers.push({ type: 'AAAA', name, ttl: 0, class: 'IN', data: ip });
    return { kind: 'answer', response: reply(q, RCODE.NOERROR, answers, true) };
  }
  if (type === 'PTR' && inside) {
    const target = z.ptr.get(key);
    if (target) return { kind: 'answer', response: reply(q, RCODE.NOERROR, [{ type: 'PTR', name, ttl: 0, class: 'IN', data: target }], true) };
    if (inOurReverse(z, key)) return { kind: 'answer', response: reply(q, RCODE.NXDOMAIN, [], true) };
  }
  if (canForward) return { kind: 'forward', id: q.id ?? 0 };
  return { kind: 'answer', response: reply(q, RCODE.REFUSED, [], false) };
}
