// Which rtnetlink notifications can mean drift of something ctnet owns. Pure,
// so it is tested without root. The host namespace may be busy with other
// software (Docker, DHCP, IPv6 autoconf), so only messages carrying ctnet's
// marks count there: link alias "ctnet:" or link group 199, IFA_PROTO 199,
// route protocol 199. Inside a container namespace the loopback has no mark
// but is managed too (it must stay up).
import { parseAddr, parseLink } from '../kernel/dump.js';
import { RTM } from '../kernel/nlmsg.js';
import type { Scope } from './scope.js';
import { vethLabel } from './partition.js';

const OWNED_PROTO = 199;
const LINK_GROUP = 199;

export interface RawEvent { type: number; data: Buffer }

export function isOwnedEvent(m: RawEvent, inContainer: boolean): boolean {
  try {
    switch (m.type) {
      case RTM.NEWLINK:
      case RTM.DELLINK: {
        const l = parseLink(m as never);
        return (l.alias?.startsWith('ctnet:') ?? false) || l.group === LINK_GROUP || (inContainer && l.name === 'lo');
      }
      case RTM.NEWADDR:
      case RTM.DELADDR:
        return parseAddr(m as never)?.protocol === OWNED_PROTO;
      case RTM.NEWROUTE:
      case RTM.DELROUTE:
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type
        return m.data.length >= 12 && m.data[5] === OWNED_PROTO;
      default:
        return false;
    }
  } catch {
    return true; // a message we cannot decode: a resync is cheaper than missing drift
  }
}

/** What an event is about, for logs: "DELLINK", "NEWADDR", ... */
export function eventName(type: number): string {
  const e = Object.entries(RTM).find(([, v]) => v === type);
  return e ? e[0] : String(type);
}

/** What a pass must look at for one owned event from namespace `ns` (inContainer: not the host).
 *  In a container: that namespace. In the host: a veth host end names its container by its mark
 *  (and is looked up again by name); anything else there (a bridge, a host address or route, an
 *  unmarked link of ctnet's group) means reading the whole host namespace. */
export function scopeOfEvent(m: RawEvent, ns: string, inContainer: boolean): Partial<Scope> {
  if (inContainer) return { ns: new Set([ns]) };
  if (m.type === RTM.NEWLINK || m.type === RTM.DELLINK) {
    try {
      const l = parseLink(m as never);
      const label = vethLabel(l);
      if (label !== undefined) return { labels: new Set([label]), hostLinks: new Set([l.name]) };
    } catch {
      return { full: true };
    }
  }
  return { host: true };
}
