// IP address and CIDR arithmetic on bigints, both families. Pure. We carry our own
// (small) parser instead of a dependency because the canonical text forms matter:
// keys and kernel comparisons depend on them (IPv4 dotted, IPv6 RFC 5952 lower-case).
import { memoized } from './memo.js';

export type Family = 4 | 6;

export interface Ip { family: Family; value: bigint }
export interface Cidr { family: Family; base: bigint; prefix: number }

const bitsOf = (f: Family) => (f === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let groups: string[];
  const dbl = s.indexOf('::');
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let text = s;
  let v4tail: bigint | undefined;
  if (tailV4) {
    v4tail = parseV4(tailV4[1]);
    if (v4tail === undefined) return undefined;
    // Replace the dotted tail by two hex groups so the rest of the parser sees plain IPv6.
    text = s.slice(0, s.length - tailV4[1].length) + `${(v4tail >> 16n).toString(16)}:${(v4tail & 0xffffn).toString(16)}`;
  }
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    const [head, tail] = text.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    if (h.length + t.length > 7) return undefined;
    groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  } else {
    groups = text.split(':');
    if (groups.length !== 8) return undefined;
  }
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

// Parsed addresses by text: compile parses every container's address several times, and `ctnet watch`
// compiles the same topology again on every edit. A copy is handed out: callers may change theirs.
const parsed = memoized(parseIpText, 100_000);

export function parseIp(s: string): Ip | undefined {
  if (typeof s !== 'string') return undefined;
  const ip = parsed(s);
  return ip && { ...ip };
}

function parseIpText(s: string): Ip | undefined {
  if (s.includes(':')) {
    const v = parseV6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    // One conversion to a number instead of four bigint shifts: observe formats every address it reads.
    const n = Number(ip.value);
    return `${Math.floor(n / 16777216) % 256}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  return formatV6Groups(g);
}

/** The text of an IPv6 address from its eight 16-bit groups. */
export function formatV6Groups(g: number[]): string {
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on ties.
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Canonical text of an address, or undefined when it does not parse. */
export function canonicalIp(s: string): string | undefined {
  const ip = parseIp(s);
  return ip && formatIp(ip);
}

// Parsed prefixes by text, for the same reason as `parsed` (a fleet file has a subnet per network and host).
const parsedCidr = memoized(parseCidrText, 100_000);

export function parseCidr(s: string): (Cidr & { hostBits: boolean }) | undefined {
  if (typeof s !== 'string') return undefined;
  const c = parsedCidr(s);
  return c && { ...c };
}

function parseCidrText(s: string): (Cidr & { hostBits: boolean }) | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (!ip || prefix > bitsOf(ip.family)) return undefined;
  const base = ip.value & maskOf(ip.family, prefix);
  return { family: ip.family, base, prefix, hostBits: base !== ip.value };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.base })}/${c.prefix}`;
}

function maskOf(f: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(f));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

export const sizeOf = (c: Cidr) => 1n << BigInt(bitsOf(c.family) - c.prefix);
export const lastOf = (c: Cidr) => c.base + sizeOf(c) - 1n;

export function contains(c: Cidr, ip: Ip): boolean {
  return c.family === ip.family && ip.value >= c.base && ip.value <= lastOf(c);
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.base >= outer.base && lastOf(inner) <= lastOf(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.base <= lastOf(b) && b.base <= lastOf(a);
}

/** IPv4 network and broadcast addresses are not usable for hosts (except /31 and /32). */
export function isReserved(c: Cidr, ip: Ip): boolean {
  if (c.family !== 4 || c.prefix >= 31) return false;
  return ip.value === c.base || ip.value === lastOf(c);
}

/** First address a host may use: base+1 (the IPv4 network address and IPv6 subnet-router anycast are skipped). */
export function firstUsable(c: Cidr): Ip {
  return { family: c.family, value: c.prefix >= bitsOf(c.family) - 1 ? c.base : c.base + 1n };
}

/** The 4 bytes of an IPv4 address as lower-case hex MAC fragments: 10.10.0.1 -> 0a:0a:00:01. */
export function v4MacBytes(ip: Ip): string {
  return [24n, 16n, 8n, 0n].map((sh) => ((ip.value >> sh) & 0xffn).toString(16).padStart(2, '0')).join(':');
}

/** "10.0.0.5/24" -> the address as written (host bits kept) and the prefix length; a bare address
 *  is a host prefix. For interface addresses and route destinations, where 10.0.0.5/24 is not 10.0.0.0. */
export function parseIfaceCidr(s: string): { ip: Ip; prefix: number } | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const prefix = slash < 0 ? bitsOf(ip.family) : Number(s.slice(slash + 1));
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= bitsOf(ip.family) ? { ip, prefix } : undefined;
}

/** The address family of an address or CIDR text (6 when it is not IPv4). */
export const familyOfText = (s: string): Family => (parseIfaceCidr(s)?.ip.family ?? (s.includes(':') ? 6 : 4));

/** True when the address text is inside the CIDR text (false when either does not parse). */
export function inCidr(cidr: string, addr: string): boolean {
  const c = parseCidr(cidr);
  const ip = parseIp(addr);
  return !!c && !!ip && contains(c, ip);
}

/** The reverse-DNS name of an address: 10.0.0.5 -> 5.0.0.10.in-addr.arpa, IPv6 by nibbles in ip6.arpa. */
export function reverseName(addr: string): string | undefined {
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const digits = ip.family === 4 ? 4 : 32;
  const out: string[] = [];
  for (let i = 0, v = ip.value; i < digits; i++) {
    if (ip.family === 4) { out.push(String(v & 0xffn)); v >>= 8n; } else { out.push((v & 0xfn).toString(16)); v >>= 4n; }
  }
  return `${out.join('.')}.${ip.family === 4 ? 'in-addr' : 'ip6'}.arpa`;
}

/** A published port's host address that means every address of the host: none given, 0.0.0.0 or ::. */
export const isAnyAddress = (ip: string | undefined): boolean => ip === undefined || ip === '0.0.0.0' || ip === '::';
