// The overlay device (routing vxlan/auto): create it with its static entries, change them in place, and
// read them back. Entries are RTM_NEWNEIGH/RTM_DELNEIGH on the device: AF_BRIDGE with NTF_SELF for the
// forwarding database ("frames for this MAC go to that host"), AF_INET for the neighbour table ("this next
// hop has that MAC"). Both are NUD_PERMANENT, so the kernel never ages or replaces them, and learning is off,
// so the device holds only what ctnet put there (every permanent entry on ctnet's device is ctnet's).
import { CTNET_LINK_GROUP } from '../model/keys.js';
import type { NsRef, VxlanObj } from '../model/state.js';
import { attempt } from './errors.js';
import { ipBytes, ipText, macBytes, macText } from './inet.js';
import { AF_BRIDGE, attrs, IFF_UP, IFLA, IFLA_INFO, IFLA_VXLAN, ifinfomsg, NDA, ndmsg, nest, nla, NLM_F, NTF_SELF, NUD_PERMANENT, RTM, str, u32, u8 } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';
import type { NlMessage } from './nlsock.js';
import type { RawNeigh } from './port.js';

const AF_INET = 2;
const q = (name: string, ns: NsRef) => `"${name}" in ${nsName(ns)}`;
const be16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };

export async function createVxlan(ctx: NsCtx, obj: VxlanObj, mark: () => Promise<unknown>): Promise<void> {
  const data = [nla(IFLA_VXLAN.ID, u32(obj.vni)), nla(IFLA_VXLAN.LOCAL, ipBytes(obj.local)),
    nla(IFLA_VXLAN.LEARNING, u8(0)), nla(IFLA_VXLAN.PORT, be16(obj.port))];
  await attempt(`create vxlan device ${q(obj.name, obj.ns)} (vni ${obj.vni}, port ${obj.port}, local ${obj.local})`, () =>
    ctx.sock(obj.ns).request(RTM.NEWLINK, [ifinfomsg(), nla(IFLA.IFNAME, str(obj.name)), nla(IFLA.MTU, u32(obj.mtu)),
      nla(IFLA.ADDRESS, macBytes(obj.mac)), nla(IFLA.GROUP, u32(CTNET_LINK_GROUP)),
      nest(IFLA.LINKINFO, [nla(IFLA_INFO.KIND, str('vxlan')), nest(IFLA_INFO.DATA, data)])], NLM_F.CREATE | NLM_F.EXCL),
  { EEXIST: `a link named "${obj.name}", or another VXLAN device with vni ${obj.vni} on port ${obj.port}, already exists in ${nsName(obj.ns)}: remove it, or choose another routing.vni` });
  await mark();
  await setEntries(ctx, obj, undefined);
}

export async function updateVxlan(ctx: NsCtx, obj: VxlanObj, before: VxlanObj): Promise<void> {
  // Setting the MAC, even to the same value, flushes the device's neighbour table (NETDEV_CHANGEADDR),
  // permanent entries included: send it only when it changes, and then put every neighbour back.
  const macChanged = before.mac !== obj.mac;
  await attempt(`update vxlan device ${q(obj.name, obj.ns)}`, () => ctx.sock(obj.ns).request(RTM.SETLINK,
    [ifinfomsg({ flags: obj.up ? IFF_UP : 0, change: IFF_UP }), nla(IFLA.IFNAME, str(obj.name)), nla(IFLA.MTU, u32(obj.mtu)),
      ...(macChanged ? [nla(IFLA.ADDRESS, macBytes(obj.mac))] : [])]));
  await setEntries(ctx, obj, macChanged ? { ...before, neigh: [] } : before);
}

const fdbId = (e: { mac: string; dst: string }) => `${e.mac} ${e.dst}`;
const neighId = (e: { ip: string; mac: string }) => `${e.ip} ${e.mac}`;

/** Make the device's entries those of `obj`: delete what `before` had and `obj` does not, add the rest. */
async function setEntries(ctx: NsCtx, obj: VxlanObj, before: VxlanObj | undefined): Promise<void> {
  const sock = ctx.sock(obj.ns);
  const index = await attempt(`find ${q(obj.name, obj.ns)}`, () => ctx.ifindex(obj.ns, obj.name));
  const fdbMsg = (e: { mac: string; dst: string }) => [ndmsg(AF_BRIDGE, index, NUD_PERMANENT, NTF_SELF), nla(NDA.LLADDR, macBytes(e.mac)), nla(NDA.DST, ipBytes(e.dst))];
  const neighMsg = (e: { ip: string; mac: string }) => [ndmsg(AF_INET, index), nla(NDA.DST, ipBytes(e.ip)), nla(NDA.LLADDR, macBytes(e.mac))];
  const gone = (e: unknown) => { const n = (e as { errno?: string }).errno; if (n !== 'ENOENT' && n !== 'ESRCH') throw e; };
  const wantFdb = new Set(obj.fdb.map(fdbId)), wantNeigh = new Set(obj.neigh.map(neighId));
  const hadFdb = new Set(before?.fdb.map(fdbId)), hadNeigh = new Set(before?.neigh.map(neighId));
  const jobs: Promise<unknown>[] = [];
  for (const e of before?.fdb ?? []) if (!wantFdb.has(fdbId(e))) jobs.push(attempt(`delete forwarding entry ${e.mac} -> ${e.dst} of ${q(obj.name, obj.ns)}`, () => sock.request(RTM.DELNEIGH, fdbMsg(e)).catch(gone)));
  for (const e of before?.neigh ?? []) if (!wantNeigh.has(neighId(e))) jobs.push(attempt(`delete neighbour ${e.ip} of ${q(obj.name, obj.ns)}`, () => sock.request(RTM.DELNEIGH, neighMsg(e)).catch(gone)));
  await Promise.all(jobs);
  // CREATE|REPLACE: an entry for the same key with another value (a host that changed its address) is replaced in place.
  const put = NLM_F.CREATE | NLM_F.REPLACE;
  await Promise.all([
    ...obj.fdb.filter((e) => !hadFdb.has(fdbId(e))).map((e) => attempt(`add forwarding entry ${e.mac} -> ${e.dst} to ${q(obj.name, obj.ns)}`, () => sock.request(RTM.NEWNEIGH, fdbMsg(e), put))),
    ...obj.neigh.filter((e) => !hadNeigh.has(neighId(e))).map((e) => attempt(`add neighbour ${e.ip} -> ${e.mac} to ${q(obj.name, obj.ns)}`, () => sock.request(RTM.NEWNEIGH, neighMsg(e), put))),
  ]);
}

/** The device attributes of a link dump's IFLA_INFO_DATA, for a vxlan link. */
export function parseVxlanData(data: Buffer): { vni: number; port: number; local: string; learning: boolean } {
  const a = attrs(data, 0);
  const local = a.get(IFLA_VXLAN.LOCAL);
  return {
    vni: a.get(IFLA_VXLAN.ID)?.readUInt32LE(0) ?? 0,
    port: a.get(IFLA_VXLAN.PORT)?.readUInt16BE(0) ?? 0,
    local: local && local.length === 4 ? ipText(local) : '',
    learning: (a.get(IFLA_VXLAN.LEARNING)?.[0] ?? 1) !== 0,
  };
}

/** Permanent forwarding and neighbour entries of the devices `indexes` (the fdb dump also lists bridge
 *  ports' entries; those are skipped here, by device). */
export async function dumpNeighbours(ctx: NsCtx, ns: NsRef, indexes: Set<number>): Promise<RawNeigh[]> {
  const s = ctx.sock(ns);
  // One device: the kernel filters the forwarding dump by it (ifi_index = the port), else every bridge
  // port's learned MACs would come along.
  const hdr = ifinfomsg({ index: indexes.size === 1 ? [...indexes][0] : 0 });
  hdr.writeUInt8(AF_BRIDGE, 0);
  const [fdb, neigh] = await Promise.all([s.dump(RTM.GETNEIGH, [hdr]),
    s.dump(RTM.GETNEIGH, [ndmsg(AF_INET, 0, 0)])]);
  const out: RawNeigh[] = [];
  const parse = (m: NlMessage, fdbEntry: boolean) => {
    const d = m.data;
    const index = d.readInt32LE(4);
    if (!indexes.has(index) || (d.readUInt16LE(8) & NUD_PERMANENT) === 0) return;
    const a = attrs(d, 12);
    const dst = a.get(NDA.DST), ll = a.get(NDA.LLADDR);
    if (!dst || !ll || ll.length !== 6) return;
    out.push({ index, fdb: fdbEntry, ip: ipText(dst), mac: macText(ll) });
  };
  for (const m of fdb) parse(m, true);
  for (const m of neigh) parse(m, false);
  return out;
}
