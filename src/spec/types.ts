// The normalised topology: every default applied, every address in canonical text.
// Produced by normalize(); rules, allocate and compile read only this shape.
// Maps (not records) keep file order and make names like "constructor" harmless.
import type { Diagnostic } from '../errors.js';
import type { SourceRef } from '../model/state.js';

/** Positions of every YAML value node, keyed by pathKey(segments) (see source.ts). A Map, or a
 *  LazyIndex that computes them only when something asks (source.ts): valid input never needs them. */
export interface SourceIndex extends Iterable<[string, SourceRef]> {
  get(key: string): SourceRef | undefined;
  has(key: string): boolean;
}

export interface Network {
  name: string;
  driver: 'bridge';
  bridgeName: string;
  bridgeNameGiven: boolean;   // true when the user wrote bridge_name (rules only check user-chosen names)
  /** Canonical CIDR; undefined on an IPv6-only network (ipv6_subnet without subnet, as Docker's --ipv4=false). */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  ipv6Subnet?: string;
  ipv6Gateway?: string;
  mtu: number;
  /** mtu was written (else 1500, or the overlay's MTU on a host that has one). */
  mtuGiven: boolean;
  internal: boolean;
  masquerade: boolean;
  icc: boolean;
  allowFrom: string[];
  dns: boolean;
  host?: string;
  src: SourceRef;
}

export interface Attachment {
  network: string;
  /** Static address as written (canonical); allocate() fills the automatic ones. */
  ipv4Address?: string;
  ipv6Address?: string;
  interface: string;
  macAddress?: string;
  aliases: string[];
  defaultRoute: boolean;
  /** Index in the container's list, for diagnostics paths on list-form `networks`. */
  index: number;
}

export type NetworkMode = 'bridge' | 'none' | 'host' | 'container';

export interface Link { container: string; alias?: string }

export interface Port {
  hostIp?: string;            // canonical; undefined = every host address
  published?: [number, number];  // inclusive range; undefined = chosen by ctnet
  target: [number, number];
  protocol: 'tcp' | 'udp' | 'sctp';
  index: number;
}

export interface Container {
  name: string;
  netns?: string;
  pid?: number;
  /** A container of the Docker (or Podman) engine, by name or id: resolved to `pid` (and its hosts file)
   *  through the engine's API before compiling (src/docker/resolve.ts); not running, it waits. */
  docker?: string;
  create: boolean;
  networkMode: NetworkMode;
  /** For `container:<name>` mode: the other container. */
  modeContainer?: string;
  attachments: Attachment[];
  /** True when `networks` was written as a map (paths then use the network name, else the index). */
  networksAsMap: boolean;
  links: Link[];
  hostsFile?: string;
  /** hosts_file was written in the topology (rather than defaulted). */
  hostsFileGiven: boolean;
  /** The resolv.conf ctnet writes the nameservers of `dns: true` networks into when the namespace is not a
   *  named one: a Docker container's own (ResolvConfPath), set when it is resolved. */
  resolvFile?: string;
  ports: Port[];
  host?: string;
}

/** How a host reaches other hosts' container subnets (`routing:`). */
export interface Routing {
  mode: 'host-gw' | 'vxlan' | 'auto';
  vni: number;
  port: number;
}

export interface Peer { name: string; via: string; subnets: string[]; dev?: string; src: SourceRef }
export interface HostEntry { name: string; address: string; src: SourceRef }

export interface Topology {
  version: 1;
  /** The project (`name:`; "default" when no file gives one). */
  project: string;
  networks: Map<string, Network>;
  containers: Map<string, Container>;
  peers: Map<string, Peer>;
  hosts: Map<string, HostEntry>;
  routing: Routing;
  /** `firewall.docker_user`: ctnet's own accept rules in Docker's DOCKER-USER chain. */
  firewall: { dockerUser: boolean };
  /** Where each input node came from, for diagnostics and DesiredState.origin. */
  sources: SourceIndex;
  /** Input files in command-line order. */
  files: string[];
}

/** The parsed-but-unchecked input (after schema validation, before normalize). */
export interface RawTopology {
  version?: unknown;
  name?: unknown;
  networks?: Record<string, any>;
  containers?: Record<string, any>;
  peers?: Record<string, any>;
  hosts?: Record<string, any>;
  routing?: Record<string, any>;
  firewall?: Record<string, any>;
}

/** A semantic check: what is wrong with a normalised topology, located (rules*.ts). */
export type Rule = (t: Topology) => Diagnostic[];
