// Pure: how two versions of one object differ. `immutable` lists changes that
// need a delete + create (the kernel cannot move a veth end to another namespace
// in place, nor rename what a key names); `mutable` lists changes one update
// operation can make. Each entry is already the human detail ("mtu 1500 -> 9000").
import type { OwnedObj, RouteObj } from '../model/state.js';
import { blockChange } from './compare-hosts.js';
import { sameRuleset } from '../nft/canon.js';

export interface Difference { immutable: string[]; mutable: string[] }

const show = (v: unknown) => (v === undefined || v === '' ? '(none)' : String(v));
const updown = (v: boolean) => (v ? 'up' : 'down');

function field(out: string[], label: string, before: unknown, after: unknown, fmt: (v: any) => string = show): void {
  if (before !== after) out.push(`${label} ${fmt(before)} -> ${fmt(after)}`);
}

/** Entries of a set that differ: "+a, -b" (one detail for the whole set). */
function entries(out: string[], label: string, before: string[], after: string[]): void {
  const b = new Set(before), a = new Set(after);
  const change = [...after.filter((x) => !b.has(x)).map((x) => `+${x}`), ...before.filter((x) => !a.has(x)).map((x) => `-${x}`)];
  if (change.length) out.push(`${label} ${change.join(', ')}`);
}

/** The metric the kernel gives a route added without one, so "unset" compares equal to it. */
export const effectiveMetric = (r: RouteObj) => r.metric ?? (r.family === 6 ? 1024 : 0);

export function compare(observed: OwnedObj, desired: OwnedObj): Difference {
  const immutable: string[] = [];
  const mutable: string[] = [];
  if (observed.kind !== desired.kind) {
    immutable.push(`kind ${observed.kind} -> ${desired.kind}`);
    return { immutable, mutable };
  }
  if ('ns' in observed && 'ns' in desired) field(immutable, 'namespace', observed.ns, desired.ns);
  switch (desired.kind) {
    case 'netns': {
      const o = observed as typeof desired;
      field(immutable, 'path', o.path, desired.path);
      field(immutable, 'shares', o.shareOf, desired.shareOf);
      break;
    }
    case 'bridge': {
      const o = observed as typeof desired;
      field(immutable, 'name', o.name, desired.name);
      field(mutable, 'mtu', o.mtu, desired.mtu);
      field(mutable, 'mac', o.mac, desired.mac);
      field(mutable, 'state', o.up, desired.up, updown);
      break;
    }
    case 'vxlan': {
      const o = observed as typeof desired;
      field(immutable, 'name', o.name, desired.name);
      // The kernel cannot change a VXLAN device's id, port or local address: a new device.
      field(immutable, 'vni', o.vni, desired.vni);
      field(immutable, 'port', o.port, desired.port);
      field(immutable, 'local', o.local, desired.local);
      field(mutable, 'mtu', o.mtu, desired.mtu);
      field(mutable, 'mac', o.mac, desired.mac);
      field(mutable, 'state', o.up, desired.up, updown);
      entries(mutable, 'forwarding', o.fdb.map((e) => `${e.mac} -> ${e.dst}`), desired.fdb.map((e) => `${e.mac} -> ${e.dst}`));
      entries(mutable, 'neighbour', o.neigh.map((e) => `${e.ip} -> ${e.mac}`), desired.neigh.map((e) => `${e.ip} -> ${e.mac}`));
      break;
    }
    case 'veth': {
      const o = observed as typeof desired;
      field(immutable, 'name', o.name, desired.name);
      field(immutable, 'peer namespace', o.peerNs, desired.peerNs);
      field(immutable, 'peer name', o.peerName, desired.peerName);
      // ipv6 is deliberately not compared: the kernel dump does not show it and it only matters at creation.
      field(mutable, 'mtu', o.mtu, desired.mtu);
      field(mutable, 'master', o.bridge, desired.bridge);
      field(mutable, 'state', o.up, desired.up, updown);
      field(mutable, 'peer mac', o.peerMac, desired.peerMac);
      field(mutable, 'peer state', o.peerUp, desired.peerUp, updown);
      break;
    }
    case 'loopback': {
      const o = observed as typeof desired;
      field(mutable, 'state', o.up, desired.up, updown);
      break;
    }
    case 'addr': {
      const o = observed as typeof desired;
      field(immutable, 'dev', o.dev, desired.dev);
      field(immutable, 'address', `${o.address}/${o.prefix}`, `${desired.address}/${desired.prefix}`);
      break;
    }
    case 'route': {
      const o = observed as typeof desired;
      field(immutable, 'dst', o.dst, desired.dst);
      // The kernel's REPLACE key is (dst, table, tos, metric): another metric would add a
      // second route instead of changing this one (KERNEL-FACTS A3), so it is a recreate.
      field(immutable, 'metric', effectiveMetric(o), effectiveMetric(desired));
      field(mutable, 'via', o.via, desired.via);
      // No dev in the topology means "whatever the kernel picks for via".
      if (desired.dev !== undefined) field(mutable, 'dev', o.dev, desired.dev);
      field(mutable, 'onlink', !!o.onlink, !!desired.onlink);
      break;
    }
    case 'sysctl': {
      const o = observed as typeof desired;
      field(mutable, 'value', o.value, desired.value);
      break;
    }
    case 'hosts': {
      const o = observed as typeof desired;
      field(immutable, 'path', o.path, desired.path);
      if (o.block !== desired.block) mutable.push(blockChange(o.block, desired.block));
      break;
    }
    case 'fwaccept': {
      const o = observed as typeof desired;
      field(immutable, 'bridge', o.bridge, desired.bridge);
      field(immutable, 'chain', o.chain, desired.chain);
      // Only one of the two rules is there: put both back (a delete and an insert, as for an immutable change).
      if (o.partial) mutable.push('one of the two rules is gone');
      break;
    }
    case 'nft': {
      const o = observed as typeof desired;
      if (!sameRuleset(o.ruleset, desired.ruleset)) mutable.push('rules');
      break;
    }
  }
  return { immutable, mutable };
}
