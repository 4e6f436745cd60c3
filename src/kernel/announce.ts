// A container's IPv4 address made known to the host at once: the host's neighbour entry for it on the
// bridge is set (NUD_STALE, the container's MAC) right after it is attached. A client that sent to the
// address before the container was attached (a published port hit while `docker start` runs, a peer
// retrying) left an INCOMPLETE entry whose next ARP probe is up to a second away (retrans_time); a STALE
// entry sends the queued packets now and is confirmed by the usual unicast probe. Best effort: a hint to
// the kernel, never a reason to fail an apply.
import type { NsRef } from '../model/state.js';
import { afOf, ipBytes, macBytes } from './inet.js';
import { NDA, ndmsg, nla, NLM_F, RTM } from './nlmsg.js';
import type { NsCtx } from './nsctx.js';

const NUD_STALE = 0x04;

export async function announce(ctx: NsCtx, ns: NsRef, bridge: string, entries: { ip: string; mac: string }[]): Promise<void> {
  let index: number;
  try {
    index = await ctx.ifindex(ns, bridge);
  } catch {
    return;
  }
  const sock = ctx.sock(ns);
  await Promise.all(entries.map((e) => sock.request(RTM.NEWNEIGH, [ndmsg(afOf(4), index, NUD_STALE), nla(NDA.DST, ipBytes(e.ip)), nla(NDA.LLADDR, macBytes(e.mac))],
    NLM_F.CREATE | NLM_F.REPLACE).catch(() => undefined)));
}
