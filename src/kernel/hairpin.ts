// Hairpin mode on a bridge port (IFLA_BRPORT_MODE=1), so a container can reach its
// own published port through the host's address: with br_netfilter on, the DNATed
// packet is bridged back out of the port it came in on, which a bridge refuses
// unless the port is in hairpin mode (KERNEL-FACTS C5). Docker sets the same when
// its userland proxy is off. Bridge port flags are set by RTM_SETLINK with family
// AF_BRIDGE and a nested IFLA_PROTINFO, addressed by ifindex.
import type { NsRef } from '../model/state.js';
import { attempt } from './errors.js';
import { IFLA, IFLA_INFO, nest, nla, RTM, str, u8 } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';

const AF_BRIDGE = 7;
const IFLA_PROTINFO = 12;
const NLA_F_NESTED = 0x8000;
const IFLA_BRPORT_MODE = 4;

/** The same mode as attributes of a NEWLINK that changes an existing bridge port (IFLA_INFO_SLAVE_DATA, what
 *  `ip link set dev X type bridge_slave hairpin on` sends): by name, beside the port's other changes, so a new
 *  veth needs no ifindex lookup and no request of its own for it. */
export function hairpinOn(): Buffer {
  return nest(IFLA.LINKINFO, [nla(IFLA_INFO.SLAVE_KIND, str('bridge')), nest(IFLA_INFO.SLAVE_DATA, [nla(IFLA_BRPORT_MODE, u8(1))])]);
}

export async function setHairpin(ctx: NsCtx, ns: NsRef, name: string): Promise<void> {
  await attempt(`set hairpin mode on bridge port "${name}" in ${nsName(ns)}`, async () => {
    const index = await ctx.ifindex(ns, name);
    const hdr = Buffer.alloc(16);
    hdr.writeUInt8(AF_BRIDGE, 0);
    hdr.writeInt32LE(index, 4);
    await ctx.sock(ns).request(RTM.SETLINK, [hdr, nla(IFLA_PROTINFO | NLA_F_NESTED, nla(IFLA_BRPORT_MODE, u8(1)))]);
  });
}
