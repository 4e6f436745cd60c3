// Address text <-> bytes for netlink messages. The model wants canonical text
// (dotted IPv4, RFC 5952 IPv6, lower-case MAC), so the dump converts here once
// and every other layer compares strings.
import { familyOfText, formatIp, formatV6Groups, parseIfaceCidr, parseIp } from '../model/ip.js';

// The text forms are model/ip.ts's (one parser and one RFC 5952 formatter for the whole
// program); here only bytes <-> its values (IPv6 read from a dump as eight groups, no bigint).
export function ipBytes(text: string): Buffer {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP address: "${text}"`);
  const out = Buffer.alloc(ip.family === 4 ? 4 : 16);
  let v = ip.value;
  for (let i = out.length - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

export function ipText(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`; // every IPv4 address of a dump: no bigint
  if (b.length === 16) return v6TextAt(b, 0);
  let value = 0n;
  for (const x of b) value = (value << 8n) | BigInt(x);
  return formatIp({ family: 6, value });
}

/** ipText of buf[from, from + len), without a view for an IPv4 address. */
export function ipTextAt(buf: Buffer, from: number, len: number): string {
  if (len === 4) return `${buf[from]}.${buf[from + 1]}.${buf[from + 2]}.${buf[from + 3]}`;
  return len === 16 ? v6TextAt(buf, from) : ipText(buf.subarray(from, from + len));
}

/** IPv6 from its eight groups, no bigint either (every namespace's loopback has ::1, in an address and a route). */
function v6TextAt(buf: Buffer, from: number): string {
  const g: number[] = [];
  for (let i = from; i < from + 16; i += 2) g.push((buf[i] << 8) | buf[i + 1]);
  return formatV6Groups(g);
}

export const familyOf = familyOfText;
export const afOf = (family: 4 | 6): number => (family === 4 ? 2 : 10);

export function macBytes(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a MAC address: "${text}"`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Lower-case aa:bb:..; by table, since a dump formats one per link and per neighbour entry. */
export const macText = (b: Buffer): string => macTextAt(b, 0, b.length);

/** macText of buf[from, from + len), without a Buffer view (a dump formats one per link). */
export function macTextAt(buf: Buffer, from: number, len: number): string {
  let s = HEX[buf[from]];
  for (let i = 1; i < len; i++) s += `:${HEX[buf[from + i]]}`;
  return s;
}

/** "10.0.0.0/24" -> address bytes + prefix length ("0.0.0.0/0" is the default route). */
export function parseCidr(cidr: string): { addr: Buffer; len: number } {
  const c = parseIfaceCidr(cidr);
  if (!c) throw new Error(`not an address or prefix: "${cidr}"`);
  return { addr: ipBytes(formatIp(c.ip)), len: c.prefix };
}
