import { describe, expect, it } from 'vitest';
import { AF_BRIDGE, ifinfomsg, NDA, ndmsg, nla, NUD_PERMANENT, RTM, str, u32 } from '../kernel/nlmsg.js';
import { genPid, tableOf } from '../kernel/nftevents.js';
import { driftOf, isOwnedEvent, partsOfEvent } from './events-filter.js';

const link = (type: number, name: string, extra: Buffer[] = []) => ({ type, data: Buffer.concat([ifinfomsg({ index: 7 }), nla(3, str(name)), ...extra]) });
const addr = (type: number, proto?: number) => {
  const hdr = Buffer.from([2, 24, 0, 0, 7, 0, 0, 0]);
  const parts = [hdr, nla(2, Buffer.from([10, 1, 0, 5]))];
  if (proto !== undefined) parts.push(nla(11, Buffer.from([proto])));
  return { type, data: Buffer.concat(parts) };
};
const route = (type: number, proto: number) => ({ type, data: Buffer.from([2, 0, 0, 0, 254, proto, 0, 1, 0, 0, 0, 0]) });

describe('which kernel events can be drift of ctnet objects', () => {
  it('links: ctnet alias or link group 199 anywhere; lo only inside containers', () => {
    expect(isOwnedEvent(link(RTM.DELLINK, 'vc1', [nla(20, str('ctnet:veth/a/n'))]), false)).toBe(true);
    expect(isOwnedEvent(link(RTM.NEWLINK, 'eth0', [nla(27, u32(199))]), true)).toBe(true);
    expect(isOwnedEvent(link(RTM.NEWLINK, 'docker0'), false)).toBe(false);
    expect(isOwnedEvent(link(RTM.NEWLINK, 'lo'), false)).toBe(false);
    expect(isOwnedEvent(link(RTM.NEWLINK, 'lo'), true)).toBe(true);
  });
  it('neighbours (host only): the overlay device\'s permanent entries and remote forwarding entries, not ARP or bridge ports', () => {
    const neigh = (type: number, family: number, state: number, dst?: Buffer) =>
      ({ type, data: Buffer.concat([ndmsg(family, 9, state), ...(dst ? [nla(NDA.DST, dst)] : []), nla(NDA.LLADDR, Buffer.from([2, 0xc7, 10, 72, 0, 2]))]) });
    const remote = Buffer.from([10, 72, 0, 2]);
    expect(isOwnedEvent(neigh(RTM.DELNEIGH, 2, NUD_PERMANENT, remote), false)).toBe(true);       // neighbour entry
    expect(isOwnedEvent(neigh(RTM.DELNEIGH, AF_BRIDGE, NUD_PERMANENT, remote), false)).toBe(true); // forwarding entry
    expect(isOwnedEvent(neigh(RTM.NEWNEIGH, AF_BRIDGE, NUD_PERMANENT), false)).toBe(false);      // a bridge port's own MAC
    expect(isOwnedEvent(neigh(RTM.NEWNEIGH, 2, 0x02 /* REACHABLE */, remote), false)).toBe(false); // ordinary ARP
    expect(isOwnedEvent(neigh(RTM.DELNEIGH, 2, 0x20 /* FAILED: how a deleted permanent entry is announced */, remote), false)).toBe(true);
    expect(isOwnedEvent(neigh(RTM.NEWNEIGH, 2, 0x20, remote), false)).toBe(false);
    expect(isOwnedEvent(neigh(RTM.DELNEIGH, 2, NUD_PERMANENT, remote), true)).toBe(false);        // never in a container
    expect(partsOfEvent(neigh(RTM.DELNEIGH, 2, NUD_PERMANENT, remote), 'host')).toEqual(new Set(['host']));
  });
  it('addresses and routes: only ctnet protocol 199', () => {
    expect(isOwnedEvent(addr(RTM.DELADDR, 199), true)).toBe(true);
    expect(isOwnedEvent(addr(RTM.NEWADDR), true)).toBe(false); // e.g. IPv6 autoconf, DHCP
    expect(isOwnedEvent(route(RTM.DELROUTE, 199), false)).toBe(true);
    expect(isOwnedEvent(route(RTM.NEWROUTE, 2), false)).toBe(false); // proto kernel
  });
  it('netconf: forwarding switched for the whole namespace only, not the per-device notice of a new link', () => {
    const netconf = (ifindex: number, forwarding: boolean) => {
      const idx = Buffer.alloc(4); idx.writeInt32LE(ifindex);
      return { type: 80, data: Buffer.concat([Buffer.from([2, 0, 0, 0]), nla(1, idx), ...(forwarding ? [nla(2, u32(0))] : [])]) };
    };
    expect(isOwnedEvent(netconf(-1, true), false)).toBe(true);
    expect(isOwnedEvent(netconf(7, true), false)).toBe(false);
    expect(isOwnedEvent(netconf(-1, false), false)).toBe(false);
    expect(isOwnedEvent(netconf(-2, true), false)).toBe(false); // default: for links made later, not ours
  });
  it('ignores other message types', () => {
    expect(isOwnedEvent({ type: 28 /* NEWNEIGH */, data: Buffer.alloc(12) }, true)).toBe(false);
  });
});

describe('nftables notifications', () => {
  const nfgen = Buffer.from([1, 0, 0, 0]);
  it('reads the table name of an object notification', () => {
    expect(tableOf({ data: Buffer.concat([nfgen, nla(1, str('ctnet')), nla(3, str('forward'))]) })).toBe('ctnet');
  });
  it('reads the committing pid of NEWGEN (network byte order)', () => {
    const pid = Buffer.alloc(4);
    pid.writeUInt32BE(4242);
    expect(genPid({ data: Buffer.concat([nfgen, nla(1, Buffer.from([0, 0, 0, 9])), nla(2, pid), nla(3, str('nft'))]) })).toBe(4242);
  });
});

describe('which parts a drift event makes a pass read', () => {
  it('in a container: that namespace', () => {
    expect(partsOfEvent(addr(RTM.DELADDR, 199), '/run/netns/a')).toEqual(new Set(['ns:/run/netns/a']));
  });
  it('a veth host end in the host: its container (by the mark) and the link by name', () => {
    expect(partsOfEvent(link(RTM.DELLINK, 'vc1', [nla(20, str('ctnet:veth/web1/front'))]), 'host'))
      .toEqual(new Set(['ctr:web1', 'link:vc1']));
  });
  it('another link of ours that is there (a bridge, a link of our group not marked yet): the link by name', () => {
    expect(partsOfEvent(link(RTM.NEWLINK, 'br-x', [nla(20, str('ctnet:bridge/front'))]), 'host')).toEqual(new Set(['link:br-x']));
    expect(partsOfEvent(link(RTM.NEWLINK, 'br-y', [nla(20, str('ctnet@shop:bridge/front'))]), 'host')).toEqual(new Set(['link:br-y']));
    expect(partsOfEvent(link(RTM.NEWLINK, 'vx', [nla(27, u32(199))]), 'host')).toEqual(new Set(['link:vx']));
  });
  it('a deleted link that is not a veth, a host address or route: the whole host', () => {
    expect(partsOfEvent(link(RTM.DELLINK, 'br-x', [nla(20, str('ctnet:bridge/front'))]), 'host')).toEqual(new Set(['host']));
    expect(partsOfEvent(link(RTM.DELLINK, 'vx', [nla(27, u32(199))]), 'host')).toEqual(new Set(['host']));
    expect(partsOfEvent(route(RTM.DELROUTE, 199), 'host')).toEqual(new Set(['host']));
  });
  it('a batch: the union of its owned events\' parts, named after the first; none when nothing is ours', () => {
    const d = driftOf('host', [link(RTM.NEWLINK, 'docker0'), link(RTM.DELLINK, 'vc1', [nla(20, str('ctnet:veth/web1/front'))]), route(RTM.DELROUTE, 199)]);
    expect(d).toEqual({ what: 'DELLINK', parts: new Set(['ctr:web1', 'link:vc1', 'host']) });
    expect(driftOf('host', [link(RTM.NEWLINK, 'docker0')])).toBeUndefined();
  });
});
