// Pure: links of all dumps -> BridgeObj / VethObj / LoopbackObj, plus foreign links.
// A veth is one object with two ends in two dumps: both ends carry the same alias
// "ctnet:veth/<c>/<n>", the host end lives in the host namespace (a bridge port),
// the peer in the container namespace. They are joined here by key.
import type { NsDump, RawLink } from '../kernel/port.js';
import { CTNET_LINK_GROUP, DEFAULT_PROJECT, kindOfKey, labelOwned, loKey, orphanKey, parseAlias } from '../model/keys.js';
import { HOST, type BridgeObj, type ForeignObj, type LoopbackObj, type NsRef, type OwnedObj, type VethObj, type VxlanObj } from '../model/state.js';
import { linkKey } from './ownership.js';

interface End { ns: NsRef; link: RawLink; dump: NsDump }

export interface LinkResult { objects: OwnedObj[]; foreign: ForeignObj[] }

/** `project`: whose links are owned; a link marked for another project is foreign and names it. */
export function convertLinks(dumps: NsDump[], labelOf: (ns: NsRef) => string | undefined, project = DEFAULT_PROJECT): LinkResult {
  const objects: OwnedObj[] = [];
  const foreign: ForeignObj[] = [];
  const vethEnds = new Map<string, End[]>();
  for (const dump of dumps) {
    for (const link of dump.links) {
      const key = linkKey(link);
      const other = parseAlias(link.alias)?.project;
      if (other !== undefined && other !== project) {
        foreign.push({ kind: 'link', ns: dump.ns, name: link.name, linkKind: link.kind, project: other });
      } else if (link.name === 'lo') {
        const label = labelOf(dump.ns);
        // The host loopback is not ctnet's to manage; container loopbacks are brought up.
        if (dump.ns !== HOST && label !== undefined) objects.push(loopback(dump.ns, label, link));
      } else if (key !== undefined && dump.ns !== HOST && (kindOfKey(key) === 'bridge' || link.master !== undefined)) {
        // A bridge or a bridge port marked by ctnet in a namespace other than the host: it
        // belongs to another ctnet host (a nested setup, a test sandbox). Not ours to change.
        foreign.push({ kind: 'link', ns: dump.ns, name: link.name, linkKind: link.kind });
      } else if (key !== undefined && kindOfKey(key) === 'bridge') {
        objects.push(bridge(dump.ns, key, link));
      } else if (key !== undefined && kindOfKey(key) === 'vxlan' && dump.ns === HOST && link.kind === 'vxlan') {
        objects.push(vxlan(key, link, dump));
      } else if (key !== undefined && kindOfKey(key) === 'veth') {
        const ends = vethEnds.get(key) ?? [];
        ends.push({ ns: dump.ns, link, dump });
        vethEnds.set(key, ends);
      } else if (key === undefined && link.group === CTNET_LINK_GROUP && (link.kind === 'veth' || link.kind === 'bridge' || link.kind === 'vxlan')) {
        // Born in ctnet's link group but never marked: ctnet was killed between creating
        // the link and setting its alias. In the host namespace it is an orphan to delete;
        // a container-side veth end goes away with its host end, so it is neither.
        if (dump.ns === HOST) objects.push(orphan(dump.ns, link));
      } else {
        // Unknown ctnet keys (a newer version's objects) are left alone like foreign ones.
        foreign.push({ kind: 'link', ns: dump.ns, name: link.name, linkKind: link.kind, mtu: link.mtu });
      }
    }
  }
  for (const [key, ends] of vethEnds) {
    const host = ends.find((e) => e.ns === HOST);
    if (!host) {
      // Marked as ours, but its host end was not in the host dump: the namespaces are dumped one
      // after the other, so a veth deleted in between (by an operator, or a namespace being torn
      // down) shows only one end. It is ctnet's and going away: plan its deletion (a delete of
      // a link that is already gone succeeds), so the new one can take its name.
      for (const e of ends) objects.push(orphan(e.ns, e.link, labelOf(e.ns) ?? e.ns));
      continue;
    }
    objects.push(veth(key, host, ends.find((e) => e !== host)));
  }
  return { objects, foreign };
}

function loopback(ns: NsRef, label: string, link: RawLink): LoopbackObj {
  return labelOwned<LoopbackObj>({ kind: 'loopback', key: loKey(label), ns, up: link.up }, label);
}

function bridge(ns: NsRef, key: string, link: RawLink): BridgeObj {
  return { kind: 'bridge', key, ns, name: link.name, mtu: link.mtu, mac: link.mac ?? '', up: link.up };
}

/** ctnet's overlay device with the permanent entries read from it (sorted, as compile writes them). */
function vxlan(key: string, link: RawLink, dump: NsDump): VxlanObj {
  const mine = (dump.neighs ?? []).filter((n) => n.index === link.index);
  return {
    kind: 'vxlan', key, ns: dump.ns, name: link.name, mtu: link.mtu, mac: link.mac ?? '', up: link.up,
    vni: link.vxlan?.vni ?? 0, port: link.vxlan?.port ?? 0, local: link.vxlan?.local ?? '',
    fdb: mine.filter((n) => n.fdb).map((n) => ({ mac: n.mac, dst: n.ip })).sort((a, b) => (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0)),
    neigh: mine.filter((n) => !n.fdb).map((n) => ({ ip: n.ip, mac: n.mac })).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)),
  };
}

function veth(key: string, host: End, peer: End | undefined): VethObj {
  const master = host.link.master === undefined ? undefined : host.dump.links.find((l) => l.index === host.link.master);
  return {
    kind: 'veth',
    key,
    ns: host.ns,
    name: host.link.name,
    bridge: master?.name ?? '',
    mtu: host.link.mtu,
    up: host.link.up,
    // peerNs '' = the peer is in no observed namespace (its container left the topology).
    peerNs: peer?.ns ?? '',
    peerName: peer?.link.name ?? '',
    peerMac: peer?.link.mac ?? '',
    peerUp: peer?.link.up ?? false,
    // The planner does not compare it (it only matters at creation), but undo re-creates a deleted veth
    // from what was read: IPv6 is on where the peer has an IPv6 address (a link-local one as soon as it
    // is up). A peer not seen, or down, says nothing: on, the kernel's default.
    ipv6: !peer || !peer.link.up || peer.dump.addrs.some((a) => a.index === peer.link.index && a.family === 6),
  };
}

/** A half-created or half-deleted link of ctnet's (see convertLinks), planned for deletion under
 *  key orphan/<name> (host namespace) or orphan/<label>/<name> (a container namespace). */
function orphan(ns: NsRef, link: RawLink, label?: string): BridgeObj | VethObj {
  const key = orphanKey(ns === HOST ? undefined : label, link.name);
  if (link.kind === 'bridge' || link.kind === 'vxlan') return { ...bridge(ns, key, link) };
  return {
    kind: 'veth', key, ns, name: link.name, bridge: '', mtu: link.mtu, up: link.up,
    peerNs: '', peerName: '', peerMac: '', peerUp: false, ipv6: true,
  };
}
