// Which rtnetlink notifications can mean drift of something ctnet owns. Pure,
// so it is tested without root. The host namespace may be busy with other
// software (Docker, DHCP, IPv6 autoconf), so only messages carrying ctnet's
// marks count there: link alias "ctnet:" or link group 199, IFA_PROTO 199,
// route protocol 199. Inside a container namespace the loopback has no mark
// but is managed too (it must stay up).
import { parseAddr, parseLink } from '../kernel/dump.js';
import { RTM } from '../kernel/nlmsg.js';

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
