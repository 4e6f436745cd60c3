// Pure: who is called what, where. The one table both the hosts files
// (compile-names.ts) and the embedded DNS server (dns/config.ts) are built from,
// so a name resolves to the same address whichever way a container asks.
import type { Topology } from './types.js';
import { attachmentId } from './allocate.js';

/** One container on one network: its names there (container name first, then aliases) and addresses. */
export interface NameEntry {
  container: string;
  network: string;
  names: string[];
  ipv4?: string;
  ipv6?: string;
}

export type Addresses = Map<string, { ipv4?: string; ipv6?: string }>;

/** Entries per network, in container order then attachment order. Only bridge-mode containers have names. */
export function namesByNetwork(t: Topology, addresses: Addresses): Map<string, NameEntry[]> {
  const out = new Map<string, NameEntry[]>();
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge') continue;
    for (const a of c.attachments) {
      if (!t.networks.has(a.network)) continue;
      const got = addresses.get(attachmentId(c.name, a.network)) ?? {};
      const e: NameEntry = { container: c.name, network: a.network, names: [c.name, ...a.aliases.filter((x) => x !== c.name)] };
      if (got.ipv4) e.ipv4 = got.ipv4;
      if (got.ipv6) e.ipv6 = got.ipv6;
      (out.get(a.network) ?? out.set(a.network, []).get(a.network)!).push(e); // not a copy per entry: O(N) for N containers
    }
  }
  return out;
}

/** The network a link from `from` to `to` resolves on: the first of `from`'s networks that `to` is on too. */
export function linkNetwork(t: Topology, from: string, to: string): string | undefined {
  const a = t.containers.get(from);
  const b = t.containers.get(to);
  if (!a || !b || a.networkMode !== 'bridge' || b.networkMode !== 'bridge') return undefined;
  const theirs = new Set(b.attachments.map((x) => x.network));
  return a.attachments.find((x) => theirs.has(x.network) && t.networks.has(x.network))?.network;
}
