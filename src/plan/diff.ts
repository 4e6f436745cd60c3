// Pure: (desired, observed) -> drafts, one per operation, each with the action and
// the reason terraform-style. Ordering and grouping into phases is order.ts's job.
//
// The subtle part is what disappears by itself: deleting a namespace takes all its
// contents, deleting (or recreating) a link takes its addresses and routes, and a
// veth dies with its peer's namespace. Those objects get no delete step of their
// own; when still desired they are re-created with reason `parent-replaced`.
import type { Action, Draft, Operation, Reason } from '../model/ops.js';
import type {
  AddrObj, FwAcceptObj, BridgeObj, DesiredState, Key, LoopbackObj, NetnsObj, NsRef, ObservedState, OwnedObj, RouteObj, SysctlObj, VethObj, VxlanObj,
} from '../model/state.js';
import { compare } from './compare.js';
import { diffHosts } from './diff-hosts.js';
import { diffNft } from '../nft/diff.js';


const end = (ns: NsRef, dev: string) => `${ns}\u0000${dev}`;

export function diff(desired: DesiredState, observed: ObservedState): Draft[] {
  const out: Draft[] = [];
  const push = (key: Key, action: Action, reason: Reason, op: Operation, detail?: string) =>
    out.push(detail ? { key, action, reason, detail, op } : { key, action, reason, op });
  // Every key of both sides by kind, once (a plan asks for several kinds; a fleet has thousands of keys).
  // (forEach, not for-of: a plan runs once, mostly before V8 optimises it, and an unoptimised for-of over a
  // Map allocates an entry and a result per step: ~1.6 MB of a converged plan at 1000 containers.)
  const byKind = new Map<string, Key[]>();
  const file = (o: OwnedObj, k: Key) => { (byKind.get(o.kind) ?? byKind.set(o.kind, []).get(o.kind)!).push(k); };
  desired.objects.forEach(file);
  observed.objects.forEach((o, k) => { if (!desired.objects.has(k)) file(o, k); });
  for (const list of byKind.values()) list.sort();
  const keysOf = (kinds: OwnedObj['kind'][]) => (kinds.length === 1 ? byKind.get(kinds[0]) ?? [] : kinds.flatMap((k) => byKind.get(k) ?? []).sort());
  // Two lookups instead of a [desired, observed] pair: unoptimised, destructuring an array runs its iterator.
  const want = <T extends OwnedObj>(key: Key) => desired.objects.get(key) as T | undefined;
  const have = <T extends OwnedObj>(key: Key) => observed.objects.get(key) as T | undefined;

  // Namespaces whose whole content goes away (deleted or recreated) in this plan.
  const emptied = new Set<NsRef>();
  for (const key of keysOf(['netns'])) {
    const d = want<NetnsObj>(key), o = have<NetnsObj>(key);
    // A second name for another container's namespace owns no content: removing it removes a name only.
    const drop = (n: NetnsObj) => { if (!n.shareOf) emptied.add(n.path); };
    if (o && !d) { push(key, 'delete', 'not-in-topology', { op: 'netns.delete', obj: o }); drop(o); continue; }
    if (!d) continue;
    if (!o) { push(key, 'create', 'missing', { op: 'netns.create', obj: d }); continue; }
    const { immutable } = compare(o, d);
    if (immutable.length) {
      const detail = immutable.join(', ');
      push(key, 'replace', 'immutable-changed', { op: 'netns.delete', obj: o }, detail);
      push(key, 'replace', 'immutable-changed', { op: 'netns.create', obj: d }, detail);
      drop(o);
    } else if (!observed.presentNs.has(d.path)) {
      // Our marker outlived the namespace (a crash mid-create): make it again.
      push(key, 'create', 'missing', { op: 'netns.create', obj: d });
    }
  }

  const gone = new Set<string>();          // link ends (ns, ifname) that vanish in this plan
  const recreatedBridges = new Set<string>();
  for (const key of [...keysOf(['bridge']), ...keysOf(['vxlan']), ...keysOf(['veth'])]) {
    const d = want<BridgeObj | VethObj | VxlanObj>(key), o = have<BridgeObj | VethObj | VxlanObj>(key);
    if (!o) { push(key, 'create', 'missing', { op: 'link.create', obj: d! }); continue; }
    const implied = emptied.has(o.ns) || (o.kind === 'veth' && emptied.has(o.peerNs));
    const vanishes = () => {
      gone.add(end(o.ns, o.name));
      if (o.kind === 'veth' && o.peerNs) gone.add(end(o.peerNs, o.peerName));
      if (o.kind === 'bridge' && d) recreatedBridges.add(end(o.ns, o.name));
    };
    if (!d) {
      // Deleted explicitly even when its peer's namespace goes too: the kernel tears a namespace down
      // asynchronously, and its veth's host end would linger past verify.
      if (!emptied.has(o.ns)) push(key, 'delete', 'not-in-topology', { op: 'link.delete', ns: o.ns, objs: [o] });
      vanishes();
      continue;
    }
    const { immutable, mutable } = compare(o, d);
    if (implied) {
      push(key, 'create', 'parent-replaced', { op: 'link.create', obj: d });
      vanishes();
    } else if (immutable.length) {
      const detail = immutable.join(', ');
      push(key, 'replace', 'immutable-changed', { op: 'link.delete', ns: o.ns, objs: [o] }, detail);
      push(key, 'replace', 'immutable-changed', { op: 'link.create', obj: d }, detail);
      vanishes();
    } else if (d.kind === 'veth' && recreatedBridges.has(end(o.ns, (o as VethObj).bridge))) {
      // A recreated bridge has no ports: its surviving veths must be attached again.
      push(key, 'update', mutable.length ? 'drifted' : 'parent-replaced',
        { op: 'link.update', obj: d, before: { ...(o as VethObj), bridge: '', ipv6: d.ipv6 } },
        mutable.length ? mutable.join(', ') : `master ${d.bridge} (recreated)`);
    } else if (mutable.length) {
      // The dump cannot show ipv6, so the observed side takes the desired value: an undo must not flip it.
      const before = o.kind === 'veth' && d.kind === 'veth' ? { ...o, ipv6: d.ipv6 } : o;
      push(key, 'update', 'drifted', { op: 'link.update', obj: d, before }, mutable.join(', '));
    }
  }

  // The kernel sets a bridge's MTU back to 1500 when its last port goes, unless the MTU was set on the
  // bridge after it was made (br_mtu_auto_adjust). Setting it again here (after the ports are deleted)
  // keeps what the topology asks for, and marks it set, so it stays.
  const portsOf = new Map<string, string[]>();
  for (const o of observed.objects.values()) {
    if (o.kind === 'veth' && o.bridge) (portsOf.get(end(o.ns, o.bridge)) ?? portsOf.set(end(o.ns, o.bridge), []).get(end(o.ns, o.bridge))!).push(end(o.ns, o.name));
  }
  for (const key of keysOf(['bridge'])) {
    const d = want<BridgeObj>(key), o = have<BridgeObj>(key);
    if (!d || !o || d.mtu === 1500 || o.mtu !== d.mtu || gone.has(end(o.ns, o.name))) continue;
    const ports = portsOf.get(end(o.ns, o.name)) ?? [];
    if (ports.length && ports.every((p) => gone.has(p)) && compare(o, d).mutable.length === 0) {
      push(key, 'update', 'parent-replaced', { op: 'link.update', obj: d, before: { ...o, mtu: 1500 } }, `keeps mtu ${d.mtu}: the kernel sets 1500 when its last port goes`);
    }
  }

  for (const key of keysOf(['loopback'])) {
    const d = want<LoopbackObj>(key), o = have<LoopbackObj>(key);
    if (!d) continue; // the loopback is never ctnet's to delete
    const fresh = emptied.has(d.ns) || !o || o.ns !== d.ns || !observed.presentNs.has(d.ns);
    if (fresh && d.up) {
      // A new namespace starts with lo down.
      push(key, 'update', emptied.has(d.ns) ? 'parent-replaced' : 'missing',
        { op: 'link.update', obj: d, before: { ...d, up: false } }, 'state down -> up');
    } else if (o && !fresh && o.up !== d.up) {
      push(key, 'update', 'drifted', { op: 'link.update', obj: d, before: o }, compare(o, d).mutable.join(', '));
    }
  }

  // Deleting a container's address can take the routes through its gateway with it (the kernel
  // drops a route whose next hop is no longer reachable), so such routes are re-put after the new
  // address ("addr/" keys sort before "route/" keys, so this set is full when routes come).
  const readdressed = new Set<string>();
  for (const key of keysOf(['addr', 'route'])) {
    const d = want<AddrObj | RouteObj>(key), o = have<AddrObj | RouteObj>(key);
    if (o?.kind === 'addr' && (!d || compare(o, d).immutable.length)) readdressed.add(end(o.ns, o.dev));
    const create = (x: AddrObj | RouteObj): Operation => (x.kind === 'addr' ? { op: 'addr.add', obj: x } : { op: 'route.replace', obj: x });
    const remove = (x: AddrObj | RouteObj): Operation => (x.kind === 'addr' ? { op: 'addr.delete', obj: x } : { op: 'route.delete', obj: x });
    if (!o) { push(key, 'create', 'missing', create(d!)); continue; }
    const implied = emptied.has(o.ns) || (o.dev !== undefined && gone.has(end(o.ns, o.dev)));
    if (!d) { if (!implied) push(key, 'delete', 'not-in-topology', remove(o)); continue; }
    if (implied) { push(key, 'create', 'parent-replaced', create(d)); continue; }
    if (o.kind === 'route' && o.via && o.dev !== undefined && readdressed.has(end(o.ns, o.dev))) {
      push(key, 'update', 'parent-replaced', { op: 'route.replace', obj: d as RouteObj }, `re-put after the address of ${o.dev} changed`);
      continue;
    }
    const { immutable, mutable } = compare(o, d);
    if (immutable.length) {
      const detail = immutable.join(', ');
      push(key, 'replace', 'immutable-changed', remove(o), detail);
      push(key, 'replace', 'immutable-changed', create(d), detail);
    } else if (mutable.length && d.kind === 'route') {
      push(key, 'update', 'drifted', { op: 'route.replace', obj: d, before: o as RouteObj }, mutable.join(', '));
    }
  }

  for (const key of keysOf(['sysctl'])) {
    const d = want<SysctlObj>(key), o = have<SysctlObj>(key);
    if (!d) continue; // only sysctls the topology asks for are ever read
    if (!o || emptied.has(d.ns)) {
      push(key, 'update', o ? 'parent-replaced' : 'missing', { op: 'sysctl.set', obj: d }, `value -> ${d.value}`);
    } else if (o.value !== d.value) {
      push(key, 'update', 'drifted', { op: 'sysctl.set', obj: d, before: o.value }, `value ${o.value} -> ${d.value}`);
    }
  }
  // ctnet's rules in Docker's DOCKER-USER chain: there (both directions, on this bridge) or not.
  for (const key of keysOf(['fwaccept'])) {
    const d = want<FwAcceptObj>(key), o = have<FwAcceptObj>(key);
    if (d && !o) push(key, 'create', 'missing', { op: 'fw.insert', obj: d });
    else if (!d && o) push(key, 'delete', 'not-in-topology', { op: 'fw.delete', obj: o });
    else if (d && o) {
      const { immutable, mutable } = compare(o, d);
      if (immutable.length === 0 && mutable.length === 0) continue;
      const reason = immutable.length ? 'immutable-changed' : 'drifted';
      const why = [...immutable, ...mutable].join(', ');
      push(key, 'replace', reason, { op: 'fw.delete', obj: o }, why);
      push(key, 'replace', reason, { op: 'fw.insert', obj: d }, why);
    }
  }
  out.push(...diffHosts(desired, observed));
  out.push(...diffNft(desired, observed));
  return out;
}
