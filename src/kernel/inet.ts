// Address text <-> bytes for netlink messages. The model wants canonical text
// (dotted IPv4, RFC 5952 IPv6, lower-case MAC), so the dump converts here once
// and every other layer compares strings.
import { isIPv4, isIPv6 } from 'node:net';

export function ipBytes(text: string): Buffer {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text)) throw new Error(`not an IP address: "${text}"`);
  let s = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s); // ::ffff:1.2.3.4
  if (v4) {
    const b = v4[1].split('.').map(Number);
    s = s.slice(0, v4.index) + ((b[0] << 8) | b[1]).toString(16) + ':' + ((b[2] << 8) | b[3]).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function ipText(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export const familyOf = (text: string): 4 | 6 => (isIPv4(text) ? 4 : 6);
export const afOf = (family: 4 | 6): number => (family === 4 ? 2 : 10);

export function macBytes(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a MAC address: "${text}"`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export const macText = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** "10.0.0.0/24" -> address bytes + prefix length ("0.0.0.0/0" is the default route). */
export function parseCidr(cidr: string): { addr: Buffer; len: number } {
  const [a, l] = cidr.split('/');
  const addr = ipBytes(a);
  return { addr, len: l === undefined ? addr.length * 8 : Number(l) };
}
