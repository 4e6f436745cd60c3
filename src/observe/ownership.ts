// Pure ownership rules: which kernel objects are ctnet's. ctnet marks links with
// an IFLA_IFALIAS "ctnet:<key>", addresses with IFA_PROTO 0xc7 and routes with
// RTPROT 0xc7 (KERNEL-FACTS A2/A3). Everything else is foreign: observed only to
// detect conflicts, never changed.
import type { RawAddr, RawLink, RawRoute } from '../kernel/port.js';
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

/** fe80::/10 in an address's text (with or without a prefix length): its first group is four digits from fe80
 *  to febf (a group of fewer digits is below 0x1000, and "::" starts with 0). Read from the text, not parsed
 *  into a number: every container's eth0 has such an address, and every pass asks. */
const LINK_LOCAL6_TEXT = /^fe[89ab][0-9a-f]:/i;
const isLinkLocal6 = (text: string): boolean => LINK_LOCAL6_TEXT.test(text);
