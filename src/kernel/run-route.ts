// route.replace / route.delete in the main table with protocol CTNET_PROTO.
// REPLACE's key is (dst, table, tos, metric) and ignores the protocol, so the
// planner must have checked ownership in a dump first; on delete the protocol
// acts as a filter, so a foreign route with the same dst is never removed.
import { CTNET_PROTO } from '../model/keys.js';
import type { RouteObj } from '../model/state.js';
import { attempt } from './errors.js';
import { afOf, ipBytes, parseCidr } from './inet.js';
import { nla, NLM_F, RT_SCOPE, RTA, rtmsg, RTM, RTN_UNICAST, u32 } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';
import { forgetRoute, recordRoute } from './route-records.js';

const RTNH_F_ONLINK = 0x4;
const describe = (r: RouteObj) => `route ${r.dst}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev "${r.dev}"` : ''} in ${nsName(r.ns)}`;

async function body(ctx: NsCtx, r: RouteObj, scope: number, needOif: boolean): Promise<Buffer[]> {
  const { addr, len } = parseCidr(r.dst);
  const hdr = rtmsg({ af: afOf(r.family), dstLen: len, protocol: CTNET_PROTO, scope, type: RTN_UNICAST });
  // An overlay route's next hop (a remote host) is in none of the device's subnets: RTNH_F_ONLINK says it is there anyway.
  if (r.onlink) hdr.writeUInt32LE(RTNH_F_ONLINK, 8);
  const parts = [hdr];
  if (len > 0) parts.push(nla(RTA.DST, addr));
  if (r.via) parts.push(nla(RTA.GATEWAY, ipBytes(r.via)));
  if (r.dev) {
    try {
      parts.push(nla(RTA.OIF, u32(await ctx.ifindex(r.ns, r.dev))));
    } catch (e) {
      if (needOif) throw e; // deleting: the device may be gone already, match without it
    }
  }
  if (r.metric !== undefined) parts.push(nla(RTA.PRIORITY, u32(r.metric)));
  return parts;
}

export async function replaceRoute(ctx: NsCtx, r: RouteObj): Promise<void> {
  const what = `set ${describe(r)}`;
  // Without a gateway the destination is on the link itself (what `ip route` picks too).
  const parts = await attempt(what, () => body(ctx, r, r.via ? RT_SCOPE.UNIVERSE : RT_SCOPE.LINK, true),
    { ENODEV: `there is no link "${r.dev}" in ${nsName(r.ns)}` });
  await attempt(what, () => recordRoute(ctx, r));
  await attempt(what, () => ctx.sock(r.ns).request(RTM.NEWROUTE, parts, NLM_F.CREATE | NLM_F.REPLACE),
    { ENETUNREACH: `gateway ${r.via} is not on a connected subnet in ${nsName(r.ns)}: check the addresses` });
}

export async function deleteRoute(ctx: NsCtx, r: RouteObj): Promise<void> {
  const what = `delete ${describe(r)}`;
  const parts = await body(ctx, r, RT_SCOPE.NOWHERE, false);
  await attempt(what, () => ctx.sock(r.ns).request(RTM.DELROUTE, parts),
    { ESRCH: 'no such route with protocol 199 (ctnet) exists there: run `ctnet plan` again' });
  forgetRoute(ctx, r);
}
