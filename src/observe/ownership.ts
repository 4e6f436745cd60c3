// Pure ownership rules: which kernel objects are ctnet's. ctnet marks links with
// an IFLA_IFALIAS "ctnet:<key>", addresses with IFA_PROTO 0xc7 and routes with
// RTPROT 0xc7 (KERNEL-FACTS A2/A3). Everything else is foreign: observed only to
// detect conflicts, never changed.
import type { RawAddr, RawLink, RawRoute } from '../kernel/port.js';
import { contains, parseCidr, parseIfaceCidr } from '../model/ip.js';
import { CTNET_PROTO, keyFromAlias } from '../model/keys.js';

/** The key a link carries in its alias, or undefined when the link is not ctnet's. */
export function linkKey(link: RawLink): string | undefined {
  return keyFromAlias(link.alias);
}

export const isOwnedAddr = (a: RawAddr) => a.protocol === CTNET_PROTO;
export const isOwnedRoute = (r: RawRoute) => r.protocol === CTNET_PROTO && r.table === 254;

const RTPROT_KERNEL = 2;

/** Addresses the kernel makes by itself (IPv6 link-local autoconf): never in anyone's way. */
export function isNoiseAddr(a: RawAddr): boolean {
  return a.family === 6 && isLinkLocal6(a.address);
}

/** Routes that exist only as a side effect of an address or of IPv6 itself: the connected
 *  prefix routes (proto kernel), fe80::/64, multicast and local entries. */
export function isNoiseRoute(r: RawRoute): boolean {
  if (r.protocol === RTPROT_KERNEL) return true;
  if (r.type !== 'UNICAST') return true;
  if (r.family === 6 && (isLinkLocal6(r.dst) || r.dst.toLowerCase().startsWith('ff'))) return true;
  return false;
}

const LINK_LOCAL6 = parseCidr('fe80::/10')!;
function isLinkLocal6(text: string): boolean {
  const ip = parseIfaceCidr(text)?.ip;
  return !!ip && contains(LINK_LOCAL6, ip);
}
