// Hairpin mode on a bridge port (IFLA_BRPORT_MODE=1), so a container can reach its
// own published port through the host's address: with br_netfilter on, the DNATed
// packet is bridged back out of the port it came in on, which a bridge refuses
// unless the port is in hairpin mode (KERNEL-FACTS C5). Docker sets the same when
// its userland proxy is off. Set as the port's bridge attributes (IFLA_INFO_SLAVE_DATA)
// of a NEWLINK that changes the existing link, found by name: what
// `ip link set dev X type bridge_slave hairpin on` sends; no ifindex lookup.
import type { NsRef } from '../model/state.js';
import { attempt } from './errors.js';
import { IFLA, IFLA_INFO, ifinfomsg, nest, nla, RTM, str, u8 } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';

const IFLA_BRPORT_MODE = 4;

/** Hairpin mode as attributes of a NEWLINK that changes an existing bridge port: by name, and beside the port's
 *  other changes where there are some (a new veth's mark, run-link.ts markPort). */
export function hairpinOn(): Buffer {
  return nest(IFLA.LINKINFO, [nla(IFLA_INFO.SLAVE_KIND, str('bridge')), nest(IFLA_INFO.SLAVE_DATA, [nla(IFLA_BRPORT_MODE, u8(1))])]);
}

export async function setHairpin(ctx: NsCtx, ns: NsRef, name: string): Promise<void> {
  await attempt(`set hairpin mode on bridge port "${name}" in ${nsName(ns)}`, () =>
    ctx.sock(ns).request(RTM.NEWLINK, [ifinfomsg(), nla(IFLA.IFNAME, str(name)), hairpinOn()]));
}
