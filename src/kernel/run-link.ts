// link.create / link.update / link.delete. Links are addressed by name
// (SETLINK/DELLINK accept IFLA_IFNAME), so only master needs an ifindex lookup.
// Creation cannot carry IFLA_IFALIAS (rtnl_create_link ignores it), so the
// ownership mark is set right after, before the link is brought up. Both ends
// are born in ctnet's link group, so a link killed between the two requests
// (kill -9) is still recognisable as ctnet's and is cleaned up by the next apply.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { aliasFor, CTNET_DOOMED_GROUP, CTNET_LINK_GROUP } from '../model/keys.js';
import type { LinkObj } from '../model/ops.js';
import type { BridgeObj, LoopbackObj, NsRef, VethObj, VxlanObj } from '../model/state.js';
import { groupMembers } from './dump.js';
import { createVxlan, updateVxlan } from './run-vxlan.js';
import { attempt } from './errors.js';
import { hairpinOn, setHairpin } from './hairpin.js';
import { macBytes } from './inet.js';
import { IFF_UP, IFLA, IFLA_INFO, ifinfomsg, nest, nla, NLM_F, RTM, str, u32, VETH_INFO_PEER } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';

const CREATE = NLM_F.CREATE | NLM_F.EXCL;
const upHdr = (up: boolean) => ifinfomsg({ flags: up ? IFF_UP : 0, change: IFF_UP });
const byName = (name: string) => nla(IFLA.IFNAME, str(name));
const q = (name: string, ns: NsRef) => `"${name}" in ${nsName(ns)}`;

function linkinfo(kind: string, data?: Buffer[]): Buffer {
  return nest(IFLA.LINKINFO, [nla(IFLA_INFO.KIND, str(kind)), ...(data ? [nest(IFLA_INFO.DATA, data)] : [])]);
}

/** Set alias and admin state of an existing link, by name. */
function mark(ctx: NsCtx, ns: NsRef, name: string, obj: LinkObj, up: boolean) {
  return attempt(`mark and bring up ${q(name, ns)}`, () =>
    ctx.sock(ns).request(RTM.SETLINK, [upHdr(up), byName(name), nla(IFLA.IFALIAS, str(aliasFor(obj.key, obj.owner?.project)))]));
}

/** mark() for a new bridge port, with hairpin mode in the same request: a NEWLINK without NLM_F_CREATE changes an
 *  existing link (found by name) and, unlike SETLINK, carries the port's bridge attributes. One request where a
 *  SETLINK, a GETLINK for the ifindex and an AF_BRIDGE SETLINK were three (with the bridge's index kept, see
 *  NsCtx.ifindex: the veth phase of an apply of 100 containers 88 -> 76 ms). */
function markPort(ctx: NsCtx, ns: NsRef, name: string, obj: LinkObj, up: boolean) {
  return attempt(`mark, set hairpin mode on and bring up bridge port ${q(name, ns)}`, () =>
    ctx.sock(ns).request(RTM.NEWLINK, [upHdr(up), byName(name), nla(IFLA.IFALIAS, str(aliasFor(obj.key, obj.owner?.project))), hairpinOn()]));
}

/** One transmit and one receive queue, asked for at creation. Without them the kernel gives each veth end a queue
 *  per possible CPU and, once registered, shrinks the queues in use to one (veth_init_queues): a synchronize_net(),
 *  an expedited RCU grace period under RTNL, for each end: ~0.2 ms each, a third of the kernel's time for 100 veths
 *  (bench/RESULTS.md §5o). The veth ends up the same, one queue each way; only `ethtool -L` can no longer raise the
 *  count later (many-queue XDP), which nothing of ctnet's does. */
const ONE_QUEUE = [nla(IFLA.NUM_TX_QUEUES, u32(1)), nla(IFLA.NUM_RX_QUEUES, u32(1))];

/** The least MTU with which a device keeps its IPv6 configuration (RFC 8200; Linux removes it below). */
const IPV6_MIN_MTU = 1280;

function disableIpv6(ctx: NsCtx, ns: NsRef, name: string, value: '0' | '1') {
  return attempt(`set disable_ipv6=${value} on ${q(name, ns)}`, () =>
    ctx.enter(ns, () => writeFileSync(`${ctx.ipv6Conf(ns)}/${name}/disable_ipv6`, value)));
}

export async function createBridge(ctx: NsCtx, obj: BridgeObj): Promise<void> {
  await attempt(`create bridge ${q(obj.name, obj.ns)}`, () =>
    ctx.sock(obj.ns).request(RTM.NEWLINK, [ifinfomsg(), byName(obj.name), nla(IFLA.MTU, u32(obj.mtu)),
      nla(IFLA.ADDRESS, macBytes(obj.mac)), nla(IFLA.GROUP, u32(CTNET_LINK_GROUP)), linkinfo('bridge')], CREATE),
  { EEXIST: `a link named "${obj.name}" already exists in ${nsName(obj.ns)}: delete or rename it, or set bridge_name` });
  await mark(ctx, obj.ns, obj.name, obj, obj.up);
}

export async function createVxlanLink(ctx: NsCtx, obj: VxlanObj): Promise<void> {
  await createVxlan(ctx, obj, () => mark(ctx, obj.ns, obj.name, obj, obj.up));
}

export async function createVeth(ctx: NsCtx, obj: VethObj): Promise<void> {
  const what = `create veth ${q(obj.name, obj.ns)} with peer ${q(obj.peerName, obj.peerNs)}`;
  const master = await attempt(what, () => ctx.ifindex(obj.ns, obj.bridge),
    { ENODEV: `bridge "${obj.bridge}" does not exist in ${nsName(obj.ns)}` });
  await attempt(what, () => {
    // The peer is created directly inside its namespace (IFLA_NET_NS_FD): it never
    // appears in the host namespace, so its name cannot clash there.
    const fd = openSync(ctx.path(obj.peerNs) ?? '/proc/thread-self/ns/net', 'r');
    const peer = nest(VETH_INFO_PEER, [ifinfomsg(), byName(obj.peerName), nla(IFLA.MTU, u32(obj.mtu)),
      nla(IFLA.ADDRESS, macBytes(obj.peerMac)), nla(IFLA.GROUP, u32(CTNET_LINK_GROUP)), nla(IFLA.NET_NS_FD, u32(fd)),
      ...ONE_QUEUE]);
    const msg = [ifinfomsg(), byName(obj.name), nla(IFLA.MTU, u32(obj.mtu)), nla(IFLA.MASTER, u32(master)),
      nla(IFLA.GROUP, u32(CTNET_LINK_GROUP)), ...ONE_QUEUE, linkinfo('veth', [peer])];
    return ctx.sock(obj.ns).request(RTM.NEWLINK, msg, CREATE).finally(() => closeSync(fd));
  }, { EEXIST: `a link named "${obj.name}" already exists in ${nsName(obj.ns)} or "${obj.peerName}" in ${nsName(obj.peerNs)}: delete or rename it` });
  if (!obj.ipv6 && obj.mtu >= IPV6_MIN_MTU) {
    // Before the ends go up, so no IPv6 autoconf traffic is ever sent (Docker does the same). Below an
    // MTU of 1280 the kernel has already removed the devices' IPv6 (and its disable_ipv6 file).
    await disableIpv6(ctx, obj.ns, obj.name, '1');
    await disableIpv6(ctx, obj.peerNs, obj.peerName, '1');
  }
  await Promise.all([
    mark(ctx, obj.peerNs, obj.peerName, obj, obj.peerUp),
    markPort(ctx, obj.ns, obj.name, obj, obj.up),
  ]);
}

export async function updateLink(ctx: NsCtx, obj: LinkObj | LoopbackObj, before: LinkObj | LoopbackObj): Promise<void> {
  const sock = ctx.sock(obj.ns);
  if (obj.kind === 'loopback') {
    await attempt(`set "lo" ${obj.up ? 'up' : 'down'} in ${nsName(obj.ns)}`, () =>
      sock.request(RTM.SETLINK, [upHdr(obj.up), byName('lo')]));
  } else if (obj.kind === 'vxlan') {
    await updateVxlan(ctx, obj, before as VxlanObj);
  } else if (obj.kind === 'bridge') {
    await attempt(`update bridge ${q(obj.name, obj.ns)}`, () => sock.request(RTM.SETLINK,
      [upHdr(obj.up), byName(obj.name), nla(IFLA.MTU, u32(obj.mtu)), nla(IFLA.ADDRESS, macBytes(obj.mac))]));
  } else {
    const what = `update veth ${q(obj.name, obj.ns)}`;
    const master = await attempt(what, () => ctx.ifindex(obj.ns, obj.bridge),
      { ENODEV: `bridge "${obj.bridge}" does not exist in ${nsName(obj.ns)}` });
    if (before.kind === 'veth' && before.ipv6 !== obj.ipv6 && obj.mtu >= IPV6_MIN_MTU) {
      await disableIpv6(ctx, obj.ns, obj.name, obj.ipv6 ? '0' : '1');
      await disableIpv6(ctx, obj.peerNs, obj.peerName, obj.ipv6 ? '0' : '1');
    }
    await Promise.all([
      // A new master makes a new bridge port, which starts without hairpin mode.
      attempt(what, () => sock.request(RTM.SETLINK,
        [upHdr(obj.up), byName(obj.name), nla(IFLA.MTU, u32(obj.mtu)), nla(IFLA.MASTER, u32(master))]))
        .then(() => setHairpin(ctx, obj.ns, obj.name)),
      attempt(`update veth peer ${q(obj.peerName, obj.peerNs)}`, () => ctx.sock(obj.peerNs).request(RTM.SETLINK,
        [upHdr(obj.peerUp), byName(obj.peerName), nla(IFLA.MTU, u32(obj.mtu)), nla(IFLA.ADDRESS, macBytes(obj.peerMac))])),
    ]);
  }
}

/** Delete links of one namespace. Many links: ONE DELLINK by group (the kernel batches the RCU waits: ~0.4 ms/link
 *  against ~20 ms for DELLINK each). When the links to delete are all that is in ctnet's link group in this
 *  namespace (a destroy, a project's only network going), that group is deleted as it is; otherwise (another
 *  project's links, or the ones staying, are in it too) they are regrouped first, one SETLINK each (1000 of them:
 *  ~20 ms in the kernel, and their round trips). The group's members are read again right before
 *  the delete, under the host lock no other ctnet holds meanwhile: nothing that is not in `objs` goes with it. */
export async function deleteLinks(ctx: NsCtx, ns: NsRef, objs: LinkObj[]): Promise<void> {
  const sock = ctx.sock(ns);
  const names = objs.map((o) => `"${o.name}"`).join(', ');
  // A link that is already gone is deleted: the other end of a veth (or its namespace) may
  // have taken it along between observe and apply, and "absent" is what was asked for.
  const gone = (e: unknown) => (e as { errno?: string }).errno === 'ENODEV';
  if (objs.length === 1) {
    await attempt(`delete link ${q(objs[0].name, ns)}`, () =>
      sock.request(RTM.DELLINK, [ifinfomsg(), byName(objs[0].name)]).catch((e) => { if (!gone(e)) throw e; }));
    return;
  }
  if (objs.length === 0) return;
  await attempt(`delete links ${names} in ${nsName(ns)}`, async () => {
    const wanted = new Set(objs.map((o) => o.name));
    const inGroup = await groupMembers(ctx, ns, CTNET_LINK_GROUP);
    const rest = objs.filter((o) => !inGroup.has(o.name));
    if (inGroup.size > 0 && [...inGroup].every((n) => wanted.has(n))) {
      await sock.request(RTM.DELLINK, [ifinfomsg(), nla(IFLA.GROUP, u32(CTNET_LINK_GROUP))]).catch((e) => { if (!gone(e)) throw e; });
      if (rest.length === 0) return;
      objs = rest; // moved out of ctnet's group by someone: still ctnet's (its mark), deleted the other way
    }
    await Promise.all(objs.map((o) => sock.request(RTM.SETLINK, [ifinfomsg(), byName(o.name), nla(IFLA.GROUP, u32(CTNET_DOOMED_GROUP))])
      .catch((e) => { if (!gone(e)) throw e; })));
    await sock.request(RTM.DELLINK, [ifinfomsg(), nla(IFLA.GROUP, u32(CTNET_DOOMED_GROUP))]).catch((e) => { if (!gone(e)) throw e; });
  });
}
