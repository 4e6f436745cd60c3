// The one state shape used for both sides of the diff (nmstate's lesson):
// compile(topology) produces a DesiredState, observe(kernel) an ObservedState,
// and plan() compares them key by key. Everything here is plain data.
import { DEFAULT_PROJECT } from './keys.js';

/** A network namespace: 'host' (the namespace ctnet runs in) or an absolute path to a netns file. */
export type NsRef = string;
export const HOST: NsRef = 'host';

/** Where named namespaces live (`ip netns`), and the path of one, given its name or its path. */
export const NETNS_DIR = '/run/netns';
/** The namespace of a `docker:` container that is not running (or not found): a reference that names no
 *  file, so it reads as a namespace that is gone and the container waits (reconcile/waiting.ts). */
export const DOCKER_REF = 'docker:';
export const netnsPath = (nameOrPath: string): NsRef => (nameOrPath.startsWith('/') ? nameOrPath : `${NETNS_DIR}/${nameOrPath}`);

/** Stable identity of an owned object, also written into the kernel as its mark. Examples:
 *  "netns/web1", "bridge/web-net", "veth/web1/web-net", "addr/bridge/web-net/10.10.0.1/16",
 *  "route/web1/default4", "lo/web1". */
export type Key = string;

/** Who an object belongs to: the container and/or the network it is there for, and its project when
 *  that is not `default`. Set by compile, and by observe from what the kernel carries (a link's mark, the
 *  label of the namespace): code asks an object whose it is instead of taking its key apart. Not
 *  compared (a plan compares objects of one project only). The kernel adapter writes the project into
 *  the marks it sets (link alias, namespace marker, file and route records, table name). */
export interface Owner { container?: string; network?: string; project?: string }

/** A named namespace under /run/netns that ctnet creates and deletes (`create: true`). */
export interface NetnsObj {
  kind: 'netns';
  key: Key;
  owner?: Owner;
  name: string;            // file name under /run/netns
  path: string;            // /run/netns/<name>
  /** For `network_mode: container:<x>` with its own name: bind this name to x's namespace file. */
  shareOf?: string;
}

export interface BridgeObj {
  kind: 'bridge';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  name: string;            // Linux ifname, <= 15 chars
  mtu: number;
  mac: string;             // lower-case aa:bb:..; set explicitly so the bridge MAC never flaps
  up: boolean;
}

/** A veth pair: the host end is a port of `bridge`, the peer lives in the container namespace. */
export interface VethObj {
  kind: 'veth';
  key: Key;
  owner?: Owner;
  ns: NsRef;               // namespace of the host end (same as the bridge)
  name: string;            // host end ifname
  bridge: string;          // master bridge ifname
  mtu: number;
  up: boolean;
  peerNs: NsRef;           // container namespace
  peerName: string;        // ifname inside the container (eth0, ...)
  peerMac: string;
  peerUp: boolean;
  /** Docker disables IPv6 on single-stack ports: autoconf traffic otherwise makes each new port O(N). */
  ipv6: boolean;
}

/** ctnet's VXLAN device (`routing: vxlan|auto`): the overlay's endpoint in the host namespace. Remote hosts
 *  are reached through it by static entries that every host computes from the file alone (flannel's vxlan
 *  backend, without a datastore): a forwarding entry "remote endpoint MAC -> remote host address" and a
 *  neighbour entry "remote host address -> remote endpoint MAC" each. Both lists are sorted. */
export interface VxlanObj {
  kind: 'vxlan';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  name: string;            // ctv<vni>
  vni: number;
  port: number;            // UDP destination port
  local: string;           // this host's IPv4 address (the underlay source)
  mtu: number;
  mac: string;             // 02:c7 + the local address: every host can compute every other host's
  up: boolean;
  fdb: { mac: string; dst: string }[];
  neigh: { ip: string; mac: string }[];
}

/** Loopback of a container namespace, brought up. Never created or deleted: only its state is managed. */
export interface LoopbackObj {
  kind: 'loopback';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  up: boolean;
}

export interface AddrObj {
  kind: 'addr';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  dev: string;             // ifname in ns
  family: 4 | 6;
  address: string;         // canonical text form
  prefix: number;
}

export interface RouteObj {
  kind: 'route';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  family: 4 | 6;
  dst: string;             // canonical CIDR; default route is 0.0.0.0/0 or ::/0
  via?: string;
  dev?: string;
  metric?: number;
  /** The next hop is reached on `dev` without being in one of its subnets (overlay routes via a remote host). */
  onlink?: boolean;
}

/** A sysctl that ctnet needs (e.g. ipv4 forwarding). `path` is relative to /proc/sys. */
export interface SysctlObj {
  kind: 'sysctl';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  path: string;
  value: string;
}

/** ctnet's marked block in a text file on the host's filesystem (a container's hosts file or
 *  resolv.conf, keys "hosts/<container>" and "resolv/<container>"). Lines outside the block are
 *  never touched. `ns` is always HOST: the file belongs to the machine, not to a namespace. */
export interface HostsFileObj {
  kind: 'hosts';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  path: string;
  block: string;           // the lines between the markers, joined with "\n"
  /** Desired only: lines written above the block when ctnet creates the file (localhost entries). */
  header?: string;
  /** Observed only: ctnet created the file, so it deletes it once nothing else is left in it. */
  created?: boolean;
}

/** ctnet's whole nftables table (`inet ctnet`) as one object: it is replaced atomically, so it is
 *  compared and applied as a unit. `ruleset` is the canonical form (src/nft/canon.ts); `names`
 *  (container address -> container name) only makes plan lines readable and is never compared. */
export interface NftTableObj {
  kind: 'nft';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  family: 'inet';
  name: string;
  ruleset: import('./nft.js').Ruleset;
  names?: Record<string, string>;
}

/** ctnet's accept rules for one network's bridge in Docker's DOCKER-USER chain (`firewall.docker_user`): two
 *  iptables rules, `-i <bridge>` and `-o <bridge>`, marked with a comment "ctnet:<project>:<key>" (kernel/fw.ts).
 *  Observed with `partial` when only one of the two is there. */
export interface FwAcceptObj {
  kind: 'fwaccept';
  key: Key;
  owner?: Owner;
  ns: NsRef;
  chain: string;
  bridge: string;
  partial?: boolean;
}

export type OwnedObj = NetnsObj | BridgeObj | VethObj | VxlanObj | LoopbackObj | AddrObj | RouteObj | SysctlObj | HostsFileObj | NftTableObj | FwAcceptObj;
export type Kind = OwnedObj['kind'];

/** Where in the input an object came from, so plan lines and errors can point at YAML. */
export interface SourceRef { file: string; line: number; col: number; path: string }

/** Where objects came from: a Map, or compile's view that resolves a position only when it is read. */
export interface Origins { get(key: Key): SourceRef | undefined; has(key: Key): boolean }

export interface NetState {
  objects: Map<Key, OwnedObj>;
}

export interface DesiredState extends NetState {
  /** The project (topology `name:`); absent: `default`. */
  project?: string;
  /** Where in the input each object came from (for some states, also keys not in `objects`). */
  origin: Origins;
  /** Every namespace the topology refers to, with the label used in keys ('host' or the
   *  container name that owns it). observe() reads exactly these namespaces. */
  nsLabels: Map<NsRef, string>;
}

/** Something in a namespace that ctnet does not own. Used only to detect conflicts, never changed. */
/** `project` is set when the object is ctnet's, of another project than the one being planned. */
export type ForeignObj =
  | { kind: 'link'; ns: NsRef; name: string; linkKind?: string; project?: string; mtu?: number }
  | { kind: 'addr'; ns: NsRef; dev: string; family: 4 | 6; address: string; prefix: number; project?: string }
  | { kind: 'route'; ns: NsRef; family: 4 | 6; dst: string; via?: string; dev?: string; protocol: number; project?: string }
  /** A namespace, or a file with a block, that ctnet made for another project. */
  | { kind: 'netns'; ns: NsRef; name: string; project: string }
  | { kind: 'file'; ns: NsRef; path: string; project: string }
  /** A host port another project publishes (read from its table when this project publishes ports). */
  | { kind: 'port'; ns: NsRef; proto: string; port: number; hostIp?: string; project: string; to: string };

export interface ObservedState extends NetState {
  foreign: ForeignObj[];
  /** Namespace paths that exist and could be read. A referenced namespace missing here does not exist. */
  presentNs: Set<NsRef>;
}

/** The project a desired state, an owner or a mark is of (`default` when it does not say). */
export const projectOf = (d: { project?: string } | undefined): string => d?.project ?? DEFAULT_PROJECT;

export function emptyObserved(): ObservedState {
  return { objects: new Map(), foreign: [], presentNs: new Set([HOST]) };
}

/** A socket bound by some process (a host service that a published port would shadow). */
export interface Listener { proto: 'tcp' | 'udp'; family: 4 | 6; addr: string; port: number; owner?: string }
