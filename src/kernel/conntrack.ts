// Stale conntrack entries of published ports (nft/stale.ts says which), deleted through ctnetlink, the
// netlink interface the `conntrack` tool itself uses: one dump of the namespace's entries per family, and a
// delete request for each entry a selector matches, by its original tuple as the dump gave it. Every
// `conntrack -D` filter walks the whole table (~16 ms of kernel time per call on the 2-core bench machine even
// with no flow), and spawning the tool cost a process per call (~15 ms of every `destroy` with published
// ports): one walk, in-process. Best effort: no ctnetlink in this kernel, or an entry gone meanwhile, is not
// an error (new flows follow the new table).
import type { NsRef } from '../model/state.js';
import type { FlowSelector } from '../nft/stale.js';
import { ipTextAt } from './inet.js';
import { attrs, NFNL_SUBSYS, nfgenmsg, nfnlType, nla } from './nlmsg.js';
import { NETLINK_NETFILTER, type NlMessage } from './nlsock.js';
import type { NsCtx } from './nsctx.js';

const IPCTNL_MSG_CT_NEW = 0, IPCTNL_MSG_CT_GET = 1, IPCTNL_MSG_CT_DELETE = 2;
const CTA = { TUPLE_ORIG: 1, TUPLE_REPLY: 2, STATUS: 3, ZONE: 18 } as const;
const CTA_TUPLE = { IP: 1, PROTO: 2 } as const;
const CTA_IP = { V4_SRC: 1, V4_DST: 2, V6_SRC: 3, V6_DST: 4 } as const;
const CTA_PROTO = { NUM: 1, DST_PORT: 3 } as const;
const IPS_DST_NAT = 1 << 5;
const NLA_F_NESTED = 1 << 15;
const AF = { 4: 2, 6: 10 } as const;
const PROTO_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 33: 'dccp', 132: 'sctp' };

/** One entry: what the selectors look at, and what deleting it takes (its original tuple and zone, as read). */
export interface Flow { proto: string; origDst: string; origDport: number; replySrc: string; dnat: boolean; tuple: Buffer; zone?: Buffer }

const type = (msg: number) => nfnlType(NFNL_SUBSYS.CTNETLINK, msg);

/** An entry of a ctnetlink dump (struct nfgenmsg, then its attributes), or undefined for anything else. */
export function parseFlow(data: Buffer, family: 4 | 6): Flow | undefined {
  if (data.length < 4) return undefined;
  const a = attrs(data, 4);
  const orig = a.get(CTA.TUPLE_ORIG), reply = a.get(CTA.TUPLE_REPLY), status = a.get(CTA.STATUS);
  if (!orig || !reply) return undefined;
  const o = tupleOf(orig, family), r = tupleOf(reply, family);
  if (!o || !r) return undefined;
  return {
    proto: PROTO_NAMES[o.proto] ?? String(o.proto), origDst: o.dst, origDport: o.dport, replySrc: r.src,
    dnat: status !== undefined && status.length >= 4 && (status.readUInt32BE(0) & IPS_DST_NAT) !== 0,
    tuple: orig, ...(a.has(CTA.ZONE) ? { zone: a.get(CTA.ZONE) } : {}),
  };
}

function tupleOf(t: Buffer, family: 4 | 6): { src: string; dst: string; proto: number; dport: number } | undefined {
  const parts = attrs(t, 0);
  const ip = parts.get(CTA_TUPLE.IP), proto = parts.get(CTA_TUPLE.PROTO);
  if (!ip || !proto) return undefined;
  const ips = attrs(ip, 0), p = attrs(proto, 0);
  const [srcType, dstType, len] = family === 4 ? [CTA_IP.V4_SRC, CTA_IP.V4_DST, 4] : [CTA_IP.V6_SRC, CTA_IP.V6_DST, 16];
  const src = ips.get(srcType), dst = ips.get(dstType), num = p.get(CTA_PROTO.NUM);
  if (src?.length !== len || dst?.length !== len || !num?.length) return undefined;
  const dport = p.get(CTA_PROTO.DST_PORT);
  return { src: ipTextAt(src, 0, len), dst: ipTextAt(dst, 0, len), proto: num[0], dport: dport?.length === 2 ? dport.readUInt16BE(0) : 0 };
}

/** Whether a selector of `family` asks for this entry of that family: a DNATed flow answered by the address, or
 *  a flow to the published port (of the one host address, when the selector names it). */
export function selects(s: FlowSelector, f: Flow): boolean {
  if ('dnatReplySrc' in s) return f.dnat && f.replySrc === s.dnatReplySrc;
  return f.proto === s.proto && f.origDport === s.port && (s.origDst === undefined || f.origDst === s.origDst);
}

/** Delete the entries of ns the selectors ask for; returns how many were deleted. */
export async function deleteFlows(ctx: NsCtx, ns: NsRef, selectors: FlowSelector[]): Promise<number> {
  if (selectors.length === 0) return 0;
  return ctx.withSock(ns, NETLINK_NETFILTER, async (sock) => {
    let deleted = 0;
    for (const family of [4, 6] as const) {
      const mine = selectors.filter((s) => s.family === family);
      if (mine.length === 0) continue;
      let msgs: NlMessage[];
      try {
        msgs = await sock.dump(type(IPCTNL_MSG_CT_GET), [nfgenmsg(AF[family])]);
      } catch {
        return deleted; // no ctnetlink here (or no right to it): nothing ctnet can clean
      }
      for (const m of msgs) {
        const f = m.type === type(IPCTNL_MSG_CT_NEW) ? parseFlow(m.data, family) : undefined;
        if (!f || !mine.some((s) => selects(s, f))) continue;
        try {
          await sock.request(type(IPCTNL_MSG_CT_DELETE), [nfgenmsg(AF[family]), nla(CTA.TUPLE_ORIG | NLA_F_NESTED, f.tuple), ...(f.zone ? [nla(CTA.ZONE, f.zone)] : [])]);
          deleted++;
        } catch {
          // ENOENT: it ended between the dump and now
        }
      }
    }
    return deleted;
  });
}
