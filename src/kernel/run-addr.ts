// addr.add / addr.delete. Raw messages because the typed API cannot carry
// IFA_PROTO, the mark that tells ctnet's addresses apart (KERNEL-FACTS A3).
import { CTNET_PROTO } from '../model/keys.js';
import type { AddrObj } from '../model/state.js';
import { attempt } from './errors.js';
import { afOf, ipBytes } from './inet.js';
import { IFA, IFA_F_NODAD, ifaddrmsg, nla, NLM_F, RTM, u8 } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';

const cidr = (a: AddrObj) => `${a.address}/${a.prefix}`;

function body(a: AddrObj, index: number, flags: number): Buffer[] {
  const addr = ipBytes(a.address);
  // IPv4 wants IFA_LOCAL (the address) and IFA_ADDRESS (the same, unless point-to-point).
  const parts = [ifaddrmsg(afOf(a.family), a.prefix, flags, index), nla(IFA.ADDRESS, addr)];
  if (a.family === 4) parts.push(nla(IFA.LOCAL, addr));
  return parts;
}

export async function addAddr(ctx: NsCtx, a: AddrObj): Promise<void> {
  const what = `add address ${cidr(a)} to "${a.dev}" in ${nsName(a.ns)}`;
  const index = await attempt(what, () => ctx.ifindex(a.ns, a.dev), { ENODEV: `there is no link "${a.dev}" in ${nsName(a.ns)}` });
  // nodad: a duplicate address check would keep a fresh v6 address "tentative" for ~1 s.
  const parts = [...body(a, index, a.family === 6 ? IFA_F_NODAD : 0), nla(IFA.PROTO, u8(CTNET_PROTO))];
  await attempt(what, () => ctx.sock(a.ns).request(RTM.NEWADDR, parts, NLM_F.CREATE | NLM_F.EXCL),
    { EEXIST: `"${a.dev}" in ${nsName(a.ns)} already has ${cidr(a)}: remove it (ip addr del ${cidr(a)} dev ${a.dev})` });
}

export async function deleteAddr(ctx: NsCtx, a: AddrObj): Promise<void> {
  const what = `delete address ${cidr(a)} from "${a.dev}" in ${nsName(a.ns)}`;
  const index = await attempt(what, () => ctx.ifindex(a.ns, a.dev));
  await attempt(what, () => ctx.sock(a.ns).request(RTM.DELADDR, body(a, index, 0)));
}
