// Pure helpers that write nft JSON expressions exactly as nft 1.0.6 lists them,
// so the builder's output and the canonicalised listing compare equal.
import type { Expr } from '../model/nft.js';

export const meta = (key: string) => ({ meta: { key } });
export const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
export const match = (left: Expr, right: Expr, op = '==') => ({ match: { op, left, right } });
export const prefix = (cidr: string) => {
  const [addr, len] = cidr.split('/');
  // nft lists a full-length prefix as the bare address.
  if (Number(len) === (addr.includes(':') ? 128 : 32)) return addr;
  return { prefix: { addr, len: Number(len) } };
};
export const accept = { accept: null };
export const drop = { drop: null };
export const ret = { return: null };
export const masquerade = { masquerade: null };
export const iif = (name: string, op = '==') => match(meta('iifname'), name, op);
export const oif = (name: string, op = '==') => match(meta('oifname'), name, op);
export const ipFam = (f: 4 | 6) => (f === 4 ? 'ip' : 'ip6');
export const saddr = (f: 4 | 6, cidr: string) => match(payload(ipFam(f), 'saddr'), prefix(cidr));
export const daddr = (f: 4 | 6, cidr: string) => match(payload(ipFam(f), 'daddr'), prefix(cidr));
export const ctStatusDnat = match({ ct: { key: 'status' } }, 'dnat', 'in');
export const ctEstablished = match({ ct: { key: 'state' } }, ['established', 'related'], 'in');
export const fibLocal = match({ fib: { result: 'type', flags: ['daddr'] } }, 'local');
const l4key = [meta('l4proto'), payload('th', 'dport')];

/** `dnat ip to [ip daddr .] meta l4proto . th dport map @A : ... map @P` (two maps: 1.0.6 cannot
 *  declare a map with concatenated data in JSON, KERNEL-FACTS C1). */
export function dnatVia(f: 4 | 6, addrMap: string, portMap: string, byDaddr: boolean): Expr {
  const key = { concat: byDaddr ? [payload(ipFam(f), 'daddr'), ...l4key] : l4key };
  return { dnat: { family: ipFam(f), addr: { map: { key, data: `@${addrMap}` } }, port: { map: { key, data: `@${portMap}` } } } };
}
