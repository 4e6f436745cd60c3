// Pure: schema-valid RawTopology -> Topology with every default applied (TOPOLOGY.md)
// and canonical text forms, so that later stages never re-derive a default and keys
// never differ by spelling (10.0.0.01 vs 10.0.0.1, FD00:: vs fd00::).
import { digest } from '../builtin.js';
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';
import { canonicalIp, firstUsable, formatCidr, formatIp, parseCidr } from '../model/ip.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { memoized } from '../model/memo.js';
import { parsePort } from './ports.js';
import { diagAt, refIn, type Segments } from './source.js';
import type { Attachment, Container, HostEntry, Network, NetworkMode, Peer, RawTopology, Routing, SourceIndex, Topology } from './types.js';

export const IFNAMSIZ_MAX = 15;
/** Hashes of names (veth names, MACs, long bridge names) are asked for again at every compile, and
 *  `ctnet watch` compiles the whole topology at every edit: 1000 containers are ~5 ms of hashing. crypto.hash
 *  (Node >= 20.12) is one call; createHash made a Hash object per name (2000 names: ~6 ms cold, ~1 ms). */
export const sha256hex = memoized((s: string) => digest('sha256', s, 'hex'), 100_000);

/** br-<network> when it is a valid ifname, else a stable hash so long names still work. */
export function defaultBridgeName(network: string): string {
  const plain = `br-${network}`;
  return plain.length <= IFNAMSIZ_MAX && /^[^\s/:]+$/.test(plain) ? plain : `br-${sha256hex(network).slice(0, 12)}`;
}

/** An address in its canonical text (one that does not parse stays as written: the schema or a rule reports it). */
const ip = (text: string | undefined) => (text === undefined ? undefined : canonicalIp(text) ?? text);

export function normalize(raw: RawTopology, sources: SourceIndex, files: string[]):
    { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const srcOf = (segs: Segments): SourceRef => refIn(sources, files, segs);
  /** Canonical CIDR; a warning when host bits are set, since the user may have meant something else. */
  const cidr = (text: string | undefined, segs: Segments): string | undefined => {
    if (text === undefined) return undefined;
    const c = parseCidr(text);
    if (!c) return text;
    const canon = formatCidr(c);
    if (c.hostBits) {
      diagnostics.push(diagAt(sources, segs, `${text} has host bits set; using ${canon}`, `write ${canon}`, 'warning'));
    }
    return canon;
  };

  const networks = new Map<string, Network>();
  for (const [name, n] of Object.entries(raw.networks ?? {})) {
    const at = ['networks', name];
    const subnet = cidr(n.subnet, [...at, 'subnet']);
    const ipv6Subnet = cidr(n.ipv6_subnet, [...at, 'ipv6_subnet']);
    const s4 = subnet ? parseCidr(subnet) : undefined, s6 = ipv6Subnet ? parseCidr(ipv6Subnet) : undefined;
    const internal = n.internal ?? false;
    networks.set(name, {
      name,
      driver: 'bridge',
      bridgeName: n.bridge_name ?? defaultBridgeName(name),
      bridgeNameGiven: n.bridge_name !== undefined,
      subnet,
      gateway: ip(n.gateway) ?? (s4 ? formatIp(firstUsable(s4)) : undefined),
      ipRange: cidr(n.ip_range, [...at, 'ip_range']),
      ipv6Subnet,
      ipv6Gateway: ip(n.ipv6_gateway) ?? (s6 ? formatIp(firstUsable(s6)) : undefined),
      mtu: n.mtu ?? 1500,
      mtuGiven: n.mtu !== undefined,
      internal,
      masquerade: n.masquerade ?? !internal,
      icc: n.icc ?? true,
      allowFrom: n.allow_from ?? [],
      dns: n.dns ?? false,
      host: n.host,
      src: srcOf(at),
    });
  }

  const containers = new Map<string, Container>();
  const entries = raw.containers ?? {};
  for (const name of Object.keys(entries)) containers.set(name, containerOf(name, entries[name])); // no pair per entry

  const peers = new Map<string, Peer>();
  for (const [name, p] of Object.entries(raw.peers ?? {})) {
    peers.set(name, {
      name, via: ip(p.via)!, dev: p.dev, src: srcOf(['peers', name]),
      subnets: (p.subnets as string[]).map((s, i) => cidr(s, ['peers', name, 'subnets', i])!),
    });
  }
  const hosts = new Map<string, HostEntry>();
  for (const [name, h] of Object.entries(raw.hosts ?? {})) {
    hosts.set(name, { name, address: ip(h.address)!, src: srcOf(['hosts', name]) });
  }
  const routing: Routing = { mode: raw.routing?.mode ?? 'host-gw', vni: raw.routing?.vni ?? 4242, port: raw.routing?.port ?? 4789 };
  return { topology: { version: 1, project: typeof raw.name === 'string' ? raw.name : DEFAULT_PROJECT, networks, containers, peers, hosts, routing, firewall: { dockerUser: raw.firewall?.docker_user === true }, sources, files }, diagnostics };
}

/** The container each entry of the file was last normalised to: `ctnet watch` reads its files again at every
 *  edit, and the parser gives an entry whose text did not change the very value it gave before
 *  (spec/yaml-chunks.ts), so only the entries an edit changed are normalised again, and compile finds the
 *  others' containers identical (spec/compile.ts). A container is made of its entry and name alone and is
 *  never changed afterwards (positions are looked up by path, not kept in it). */
const normalised = new WeakMap<object, Container>();

function containerOf(name: string, c: Record<string, any>): Container {
  const before = normalised.get(c);
  if (before?.name === name) return before;
  const mode: string = c.network_mode ?? 'bridge';
  const networkMode = (mode.startsWith('container:') ? 'container' : mode) as NetworkMode;
  const asMap = !!c.networks && !Array.isArray(c.networks);
  const named = c.netns !== undefined && !String(c.netns).startsWith('/');
  const out: Container = {
    name,
    netns: c.netns,
    pid: c.pid,
    ...(c.docker !== undefined ? { docker: c.docker } : {}),
    create: c.create ?? false,
    networkMode,
    modeContainer: networkMode === 'container' ? mode.slice('container:'.length) : undefined,
    attachments: attachmentsOf(c.networks),
    networksAsMap: asMap,
    links: (c.links ?? []).map((l: string) => {
      const [container, alias] = l.split(':');
      return alias === undefined ? { container } : { container, alias };
    }),
    hostsFile: c.hosts_file ?? (named ? `/etc/netns/${c.netns}/hosts` : undefined),
    hostsFileGiven: c.hosts_file !== undefined,
    ports: (c.ports ?? []).flatMap((p: unknown, i: number) => parsePort(p, i) ?? []),
    host: c.host,
  };
  if (c !== null && typeof c === 'object') normalised.set(c, out);
  return out;
}

function attachmentsOf(networks: unknown): Attachment[] {
  if (!networks) return [];
  const entries: [string, Record<string, any>][] = Array.isArray(networks)
    ? networks.map((n: string) => [n, {}])
    : Object.entries(networks as Record<string, any>).map(([n, a]) => [n, a ?? {}]);
  // Explicit interface names are reserved first, so defaults (eth0, eth1, ...) never collide with them.
  const taken = new Set(entries.map(([, a]) => a.interface).filter(Boolean));
  let next = 0;
  const nextFree = () => {
    while (taken.has(`eth${next}`)) next++;
    return `eth${next++}`;
  };
  const anyExplicit = entries.some(([, a]) => a.default_route === true);
  const firstAllowed = entries.findIndex(([, a]) => a.default_route !== false);
  return entries.map(([network, a], i) => ({
    network,
    ipv4Address: ip(a.ipv4_address),
    ipv6Address: ip(a.ipv6_address),
    interface: a.interface ?? nextFree(),
    macAddress: a.mac_address?.toLowerCase(),
    aliases: a.aliases ?? [],
    // default: the first network listed (that does not opt out), unless one opts in.
    defaultRoute: anyExplicit ? a.default_route === true : i === firstAllowed,
    index: i,
  }));
}
