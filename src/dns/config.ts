// Pure: what the embedded DNS server answers. One zone per network with
// `dns: true`, served on that network's gateway and holding only that network's
// containers and aliases (built from the same table as the hosts files,
// spec/names.ts), so a container on network A learns nothing about network B.
import { allocate } from '../spec/allocate.js';
import { namesByNetwork } from '../spec/names.js';
import { forHost } from '../spec/compile.js';
import type { ObservedState } from '../model/state.js';
import type { Topology } from '../spec/types.js';

export interface DnsRecord { names: string[]; ipv4?: string; ipv6?: string }

export interface DnsZone {
  network: string;
  /** Where the server listens (UDP and TCP, port `port`): one gateway address of the network (a dual-stack
   *  network has two zones, one per family, with the same records). Never 0.0.0.0 or ::. */
  listen: string;
  /** The network's subnets (IPv4 and IPv6): clients inside them are insiders, and reverse (PTR) queries
   *  for IPv4 addresses inside them are answered here (NXDOMAIN when unknown). */
  subnets: string[];
  records: DnsRecord[];
}

export interface DnsConfig {
  zones: DnsZone[];
  /** Upstream resolvers for every other name (from the host's /etc/resolv.conf); none -> REFUSED. */
  upstreams: string[];
  port: number;
  /** The upstreams' port (53 unless a test runs its own upstream elsewhere). */
  upstreamPort?: number;
}

/** The zones of a topology; `observed` keeps automatic addresses where apply put them. */
export function dnsConfigOf(full: Topology, observed: ObservedState | undefined, opts: { host?: string; upstreams?: string[]; port?: number } = {}): DnsConfig {
  const t = forHost(full, opts.host);
  const served = [...t.networks.values()].filter((n) => n.dns);
  const zones: DnsZone[] = [];
  const upstreams = opts.upstreams ?? [];
  // No network serves names (`dns` is off by default): nothing to allocate and name, which at 1000
  // containers is ~5 ms of every pass of the daemon.
  if (served.length === 0) return { zones, upstreams, port: opts.port ?? 53 };
  const { addresses } = allocate(full, observed);
  const byNet = namesByNetwork(full, addresses);
  for (const n of served) {
    const records = (byNet.get(n.name) ?? []).map((e) => {
      const r: DnsRecord = { names: e.names };
      if (e.ipv4) r.ipv4 = e.ipv4;
      if (e.ipv6) r.ipv6 = e.ipv6;
      return r;
    });
    const subnets = [n.subnet, n.ipv6Subnet].filter((x): x is string => x !== undefined);
    for (const listen of [n.gateway, n.ipv6Gateway]) if (listen) zones.push({ network: n.name, listen, subnets, records });
  }
  const listening = new Set(zones.map((z) => z.listen));
  // Forwarding to ourselves would loop until the timeout.
  return { zones, upstreams: upstreams.filter((u) => !listening.has(u)), port: opts.port ?? 53 };
}

/** Nameservers of a resolv.conf text, in order (glibc reads at most 3). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && !out.includes(m[1])) out.push(m[1].replace(/%.*$/, ''));
  }
  return out.slice(0, 3);
}
