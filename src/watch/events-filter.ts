// Which rtnetlink notifications can mean drift of something ctnet owns, and which
// parts of the host a pass must then read. Pure, so it is tested without root.
// The host namespace may be busy with other software (Docker, DHCP, IPv6
// autoconf), so only messages carrying ctnet's marks count there: link alias
// "ctnet:" or link group 199, IFA_PROTO 199, route protocol 199. Inside a
// container namespace the loopback has no mark but is managed too (it must stay up).
import { parseAddr, parseLink } from '../kernel/dump.js';
import { AF_BRIDGE, attrs, NDA, NUD_PERMANENT, RTM } from '../kernel/nlmsg.js';
import type { RawEvent } from '../kernel/port.js';
import { CTNET_LINK_GROUP, CTNET_PROTO, OWNER_PREFIX } from '../model/keys.js';
import { ALL, ctrPart, linkPart, nsPart, union, type Part, type Parts } from '../model/parts.js';
import { HOST, type NsRef } from '../model/state.js';
import { vethLabel } from '../observe/slice.js';

export type { RawEvent };

/** RTM_NEWNETCONF (linux/rtnetlink.h): a namespace's IPv4/IPv6 configuration (forwarding) changed. */
export const RTM_NEWNETCONF = 80;

export function isOwnedEvent(m: RawEvent, inContainer: boolean): boolean {
  try {
    switch (m.type) {
      case RTM.NEWLINK:
      case RTM.DELLINK: {
        const l = parseLink(m.data);
        return (l.alias?.startsWith(OWNER_PREFIX) ?? false) || l.group === CTNET_LINK_GROUP || (inContainer && l.name === 'lo');
      }
      case RTM.NEWADDR:
      case RTM.DELADDR:
        return parseAddr(m.data)?.protocol === CTNET_PROTO;
      case RTM.NEWROUTE:
      case RTM.DELROUTE:
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type
        return m.data.length >= 12 && m.data[5] === CTNET_PROTO;
      case RTM.NEWNEIGH:
      case RTM.DELNEIGH:
        return !inContainer && isOverlayEntry(m.type, m.data);
      case RTM_NEWNETCONF:
        // Forwarding switched for the whole namespace (net.ipv4.ip_forward, conf.all.forwarding): ctnet
        // manages it. Per-device notifications (one for every new link) are not about it.
        return isForwardingOfAll(m.data);
      default:
        return false;
    }
  } catch {
    return true; // a message we cannot decode: a resync is cheaper than missing drift
  }
}

/** A permanent neighbour entry, or a forwarding entry toward a remote address (NDA_DST): what ctnet puts on its
 *  overlay device. Learned and aging entries (every ARP exchange on the host, every bridge port's MAC) are not.
 *  A deleted permanent neighbour is announced as FAILED without its MAC (measured: `ip neigh del` gives
 *  NEWNEIGH FAILED, then DELNEIGH FAILED), so a DELNEIGH of a FAILED entry counts too: an unanswered ARP being
 *  collected costs one read of the host's part, a missed overlay entry would cost a resync period. */
function isOverlayEntry(type: number, d: Buffer): boolean {
  if (d.length < 12) return false;
  const family = d[0], state = d.readUInt16LE(8);
  if (family === AF_BRIDGE) return attrs(d, 12).has(NDA.DST);
  return (state & NUD_PERMANENT) !== 0 || (type === RTM.DELNEIGH && (state & NUD_FAILED) !== 0);
}
const NUD_FAILED = 0x20;

/** netconfmsg (4 bytes: family, padding) then attributes: NETCONFA_IFINDEX (1, s32; -1 = all) and
 *  NETCONFA_FORWARDING (2). */
function isForwardingOfAll(d: Buffer): boolean {
  const a = attrs(d, 4);
  const ifindex = a.get(1);
  return a.has(2) && ifindex !== undefined && ifindex.length >= 4 && ifindex.readInt32LE(0) === NETCONFA_IFINDEX_ALL;
}
const NETCONFA_IFINDEX_ALL = -1;

/** What an event is about, for logs: "DELLINK", "NEWADDR", ... */
export function eventName(type: number): string {
  if (type === RTM_NEWNETCONF) return 'NEWNETCONF';
  const e = Object.entries(RTM).find(([, v]) => v === type);
  return e ? e[0] : String(type);
}

/** The parts a pass must read for one owned event from namespace `ns`. In a container: that
 *  namespace. In the host: a veth host end names its container by its mark (and is looked up again
 *  by name); any other link of ctnet's that is still there (a bridge, the overlay device, a link of
 *  ctnet's group without its mark yet) is looked up again by name too: the host's part, which every
 *  pass plans, then holds it as the kernel has it now. The kernel announces a bridge again whenever
 *  one of its ports comes or goes, and a new veth before its mark is set, so every container an edit
 *  adds or removes would otherwise cost a dump of every link of the host (~1000 veth ends). A link's
 *  addresses, routes and neighbour entries send events of their own. Anything else there (a deleted
 *  link that is not a veth: its addresses and ports went with it; a host address or route) means
 *  reading the whole host namespace. */
export function partsOfEvent(m: RawEvent, ns: NsRef): Parts {
  if (ns !== HOST) return new Set([nsPart(ns)]);
  if (m.type === RTM.NEWLINK || m.type === RTM.DELLINK) {
    try {
      const l = parseLink(m.data);
      const label = vethLabel(l);
      if (label !== undefined) return new Set([ctrPart(label), linkPart(l.name)]);
      if (m.type === RTM.NEWLINK) return new Set([linkPart(l.name)]);
    } catch {
      return ALL;
    }
  }
  return new Set(['host']);
}

/** The owned events of one batch read in `ns`: the parts to read, and a name for the log (undefined
 *  when none of them is about something ctnet owns). */
export function driftOf(ns: NsRef, msgs: RawEvent[]): { parts: Parts; what: string } | undefined {
  const inContainer = ns !== HOST;
  const parts: Part[] = [];
  let what = '';
  for (const m of msgs) {
    if (!isOwnedEvent(m, inContainer)) continue;
    parts.push(...partsOfEvent(m, ns));
    what ||= eventName(m.type);
  }
  return what ? { parts: union(parts), what } : undefined;
}
