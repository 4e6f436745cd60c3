// Pure: automatic addresses for attachments without a static one. There is no
// state file: the previous allocation is read back from the kernel (an owned
// address keyed addr/<container>/<interface>/<ip>/<prefix> in the ObservedState),
// so re-running ctnet keeps every address stable. New attachments take the lowest
// free address, in container-name order, so the result does not depend on file order.
import type { Diagnostic } from '../errors.js';
import { parseKey } from '../model/keys.js';
import { memoized } from '../model/memo.js';
import type { ObservedState } from '../model/state.js';
import { contains, formatIp, isReserved, lastOf, parseCidr, parseIp, type Cidr, type Family } from '../model/ip.js';
import { attachmentPath, diagAt } from './source.js';
import type { Attachment, Container, Network, Topology } from './types.js';

export interface Assigned { ipv4?: string; ipv6?: string }
export const attachmentId = (container: string, network: string) => `${container}/${network}`;

/** Previous addresses by "container/interface/family", from owned AddrObj keys. */
function previousAddresses(observed: ObservedState | undefined): Map<string, string[]> {
  const prev = new Map<string, string[]>();
  for (const obj of observed?.objects.values() ?? []) {
    if (obj.kind !== 'addr') continue;
    const k = parseKey(obj.key);
    if (k.label === undefined || k.dev === undefined) continue;
    const id = `${k.label}/${k.dev}/${obj.family}`;
    (prev.get(id) ?? prev.set(id, []).get(id)!).push(obj.address);
  }
  return prev;
}

/** An attachment and its entry in the result (looked up once: an edit of `ctnet watch` allocates ~1000). */
interface Want { c: Container; a: Attachment; got: Assigned }

export function allocate(t: Topology, observed?: ObservedState): { addresses: Map<string, Assigned>; diagnostics: Diagnostic[] } {
  const addresses = new Map<string, Assigned>();
  const diagnostics: Diagnostic[] = [];
  // Read from the observation only when some attachment has an address to find (never, where all are static).
  let prev: Map<string, string[]> | undefined;
  const byName = [...t.containers.values()]
    .filter((c) => c.networkMode === 'bridge')
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const perNetwork = new Map<string, Want[]>();
  for (const c of byName) {
    for (const a of c.attachments) {
      if (!t.networks.has(a.network)) continue;
      const got: Assigned = { ipv4: a.ipv4Address, ipv6: a.ipv6Address };
      addresses.set(attachmentId(c.name, a.network), got);
      (perNetwork.get(a.network) ?? perNetwork.set(a.network, []).get(a.network)!).push({ c, a, got }); // O(N), not a copy per container
    }
  }
  for (const [name, wants] of perNetwork) {
    const n = t.networks.get(name)!;
    for (const family of [4, 6] as const) {
      const pool = poolOf(n, family);
      if (!pool) continue;
      const field = family === 4 ? 'ipv4' : 'ipv6';
      // Every attachment has its address already: nothing to choose, and no address of theirs to parse.
      if (wants.every((w) => w.got[field] !== undefined)) continue;
      const used = new Set<bigint>();
      const gw = parseIp((family === 4 ? n.gateway : n.ipv6Gateway) ?? '');
      if (gw) used.add(gw.value);
      for (const { got } of wants) {
        const s = got[field] ? parseIp(got[field]) : undefined;
        if (s) used.add(s.value);
      }
      const pending: Want[] = [];
      for (const w of wants) {
        const got = w.got;
        if (got[field]) continue;
        // Keep the address this attachment had, when it still fits and nobody else holds it.
        let kept = false;
        for (const s of (prev ??= previousAddresses(observed)).get(`${w.c.name}/${w.a.interface}/${family}`) ?? []) {
          const ip = parseIp(s);
          if (!ip || !contains(pool.range, ip) || unusable(pool.subnet, ip.value) || used.has(ip.value)) continue;
          used.add(ip.value);
          got[field] = canonical(s);
          kept = true;
          break;
        }
        if (!kept) pending.push(w);
      }
      let cursor = pool.range.base;
      const end = lastOf(pool.range);
      for (const w of pending) {
        while (cursor <= end && (used.has(cursor) || unusable(pool.subnet, cursor))) cursor++;
        if (cursor > end) {
          diagnostics.push(diagAt(t.sources, attachmentPath(w.c, w.a),
            `no free IPv${family} address left in ${pool.text} of network "${n.name}"`,
            'widen ip_range or the subnet, or detach containers from this network'));
          continue;
        }
        used.add(cursor);
        w.got[field] = formatIp({ family, value: cursor });
      }
    }
  }
  return { addresses, diagnostics };
}

/** allocate()'s diagnostics, without allocating when no pool can run out: a pool of S addresses serves
 *  every one of A attachments when A + 3 <= S (at most A static addresses, the gateway, the subnet's
 *  first and IPv4 broadcast address are taken from it). Validation runs at every plan, apply and watch
 *  edit, and allocating 1000 addresses is ~3-5 ms of it. */
export function poolDiagnostics(t: Topology): Diagnostic[] {
  const attached = new Map<string, bigint>();
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge') continue;
    for (const a of c.attachments) attached.set(a.network, (attached.get(a.network) ?? 0n) + 1n);
  }
  const ample = [...attached].every(([name, n]) => {
    const net = t.networks.get(name);
    return !net || ([4, 6] as const).every((f) => {
      const pool = poolOf(net, f);
      return !pool || n + 3n <= lastOf(pool.range) - pool.range.base + 1n;
    });
  });
  return ample ? [] : allocate(t).diagnostics;
}

/** An address kept from before, in its canonical text: the text it was read back as, formatted once (every
 *  edit of `ctnet watch` keeps ~1000 of them, and formatting an address is a BigInt to text conversion).
 *  Only asked of texts that parse. */
const canonical = memoized((text: string) => formatIp(parseIp(text)!), 100_000);

/** Never hand out the subnet's first address (IPv4 network, IPv6 subnet-router anycast) or the IPv4 broadcast. */
function unusable(subnet: Cidr, value: bigint): boolean {
  return value === subnet.base || isReserved(subnet, { family: subnet.family, value });
}

function poolOf(n: Network, family: Family): { subnet: Cidr; range: Cidr; text: string } | undefined {
  const subnetText = family === 4 ? n.subnet : n.ipv6Subnet;
  const rangeText = family === 4 ? n.ipRange ?? n.subnet : n.ipv6Subnet;
  const subnet = subnetText ? parseCidr(subnetText) : undefined;
  const range = rangeText ? parseCidr(rangeText) : undefined;
  return subnet && range ? { subnet, range, text: rangeText! } : undefined;
}
