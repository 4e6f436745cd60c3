// Pure: a route ctnet is about to add must have a next hop on a network directly
// connected to its namespace (an address of that namespace, foreign or ctnet's,
// whose prefix contains the next hop). Otherwise the kernel answers ENETUNREACH
// halfway through an apply; saying so at plan time, with the route's origin,
// is kinder (a typo in `hosts.<h>.address` or `peers.<p>.via`, a missing uplink).
import type { Conflict, Step } from '../model/ops.js';
import { HOST, type DesiredState, type NsRef, type ObservedState } from '../model/state.js';
import { contains, parseCidr, parseIp } from '../model/ip.js';

export function unreachableNextHops(desired: DesiredState, observed: ObservedState, steps: Step[]): Conflict[] {
  // An overlay route's next hop is a remote host reached through the VXLAN device (onlink), not a neighbour.
  const routes = steps.flatMap((s) => (s.op.op === 'route.replace' && s.op.obj.via && !s.op.obj.onlink ? [{ key: s.key, r: s.op.obj }] : []));
  if (routes.length === 0) return []; // most plans (a watch pass about one container) make no route
  const namespaces = new Set(routes.map(({ r }) => r.ns));
  const connected = new Map<NsRef, string[]>();
  const note = (ns: NsRef, address: string, prefix: number) => {
    if (namespaces.has(ns)) (connected.get(ns) ?? connected.set(ns, []).get(ns)!).push(`${address}/${prefix}`);
  };
  for (const f of observed.foreign) if (f.kind === 'addr') note(f.ns, f.address, f.prefix);
  for (const o of observed.objects.values()) if (o.kind === 'addr') note(o.ns, o.address, o.prefix);
  for (const o of desired.objects.values()) if (o.kind === 'addr') note(o.ns, o.address, o.prefix);

  const out: Conflict[] = [];
  for (const { key, r } of routes) {
    const via = parseIp(r.via!);
    if (!via) continue;
    const reachable = (connected.get(r.ns) ?? []).some((c) => {
      const cidr = parseCidr(c);
      return cidr !== undefined && contains(cidr, via);
    });
    if (!reachable) {
      out.push({
        key,
        message: `next hop ${r.via} of the route to ${r.dst} is not on a network directly connected to ${r.ns === HOST ? 'the host namespace' : `namespace "${r.ns}"`}`,
        hint: 'check the address (hosts.<name>.address or peers.<name>.via) and that this host has an interface in that network',
      });
    }
  }
  return out;
}
