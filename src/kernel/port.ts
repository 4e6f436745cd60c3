// The only seam between ctnet and the host. The real adapter (kernel/netlink.ts)
// and the in-memory fake of the tests (test/support/fake-kernel.ts) both implement it; observe and
// apply take a Kernel, so everything above this line runs without root.
import type { Operation } from '../model/ops.js';
import type { Listener, NsRef } from '../model/state.js';

export interface RawLink {
  index: number;
  name: string;
  kind?: string;           // 'bridge' | 'veth' | 'vxlan' | undefined (e.g. lo, physical)
  alias?: string;
  mtu: number;
  mac?: string;            // lower-case aa:bb:cc:dd:ee:ff
  up: boolean;             // IFF_UP (administrative state)
  master?: number;         // ifindex of the master (bridge) in the same namespace
  group?: number;
  /** A vxlan link's device attributes (IFLA_INFO_DATA). */
  vxlan?: { vni: number; port: number; local: string; learning: boolean };
}

/** A permanent entry of a vxlan device: forwarding (`fdb`: MAC -> remote address) or neighbour (address -> MAC). */
export interface RawNeigh { index: number; fdb: boolean; ip: string; mac: string }

export interface RawAddr {
  index: number;           // ifindex of the link
  family: 4 | 6;
  address: string;
  prefix: number;
  protocol: number;        // IFA_PROTO, 0 when absent
  scope: number;           // 0 universe, 253 link, 254 host
}

export interface RawRoute {
  family: 4 | 6;
  table: number;           // only the main table (254) is returned
  dst: string;             // canonical CIDR, 0.0.0.0/0 or ::/0 for default
  gateway?: string;
  oif?: number;
  protocol: number;
  metric?: number;
  type: string;            // 'UNICAST', ...
  onlink?: boolean;        // RTNH_F_ONLINK
}

export interface NsDump {
  ns: NsRef;
  /** Which namespace it is (the dev:inode of its file): two names can be one namespace (`container:`). */
  id?: string;
  links: RawLink[];
  addrs: RawAddr[];
  routes: RawRoute[];
  /** Values of the sysctls asked for, by path relative to /proc/sys (missing: unreadable). */
  sysctls: Record<string, string>;
  /** Permanent entries of ctnet's vxlan devices (read only where there is one). */
  neighs?: RawNeigh[];
}

export interface OwnedNetns {
  name: string;            // /run/netns/<name>
  path: string;
  exists: boolean;         // marker present but namespace gone (crash mid-create) -> false
  shareOf?: string;
  /** The project that made it (absent: `default`), and the container it was made for. */
  project?: string;
  container?: string;
}

/** A hosts/resolv.conf file ctnet manages a block in (recorded in its run directory). */
export interface RawHostsFile {
  key: string;
  path: string;
  created: boolean;        // ctnet created the file
  header?: string;         // what ctnet wrote above its block when it created the file
  text: string | null;     // current content; null when the file is gone
  project?: string;        // the project that manages the block (absent: `default`)
}

/** A route in the host namespace made for a project other than `default` (route.replace records it
 *  first: a route's only mark, its protocol, has no room for a project). */
export interface RouteRecord { dst: string; project: string }

export type { Listener };

/** One notification read from an rtnetlink event socket: its nlmsg_type and payload. */
export interface RawEvent { type: number; data: Buffer }

/** Event sockets in the host and in container namespaces (`ctnet watch`): sync() listens in exactly these
 *  namespaces (the host always) and returns those whose socket was closed because their file vanished or
 *  now names another namespace (of those `recheck` names, by default all). */
export interface EventSockets { sync(namespaces: Iterable<NsRef>, recheck?: (ns: NsRef) => boolean): NsRef[]; close(): void }

/** A handler for one batch of event messages read in one namespace. */
export interface EventHandlers {
  onEvents(ns: NsRef, msgs: RawEvent[]): void;
  /** Events were lost (a socket overran): read everything. */
  onLost(ns: NsRef): void;
  /** nftables: a committed transaction touched ctnet's table, not committed by this process (pid), or
   *  events were lost (undefined). */
  onNft(pid: number | undefined): void;
  warn(msg: string, fields: Record<string, unknown>): void;
}

/** Who holds a host lock: what a waiting process names. */
export interface LockHolder { pid: number; command: string; since?: string; files?: string[]; projects?: string[] }
/** `write`: changing the host (apply, destroy, each pass of watch); `watch:<project>`: a `ctnet watch`
 *  manages that project. */
export type LockKind = 'write' | `watch:${string}`;
export interface HostLock { release(): void }

export interface Kernel {
  /** Dump links, addresses and main-table routes of one namespace; null when it does not exist. */
  dump(ns: NsRef, sysctls: string[]): Promise<NsDump | null>;
  /** Just these links of one namespace, looked up by name (missing names are left out); null when
   *  the namespace does not exist. A targeted read: a full dump of a host with 1000 veths costs the
   *  kernel ~100 ms, one GETLINK a fraction of a millisecond (watch repairs one container). */
  getLinks(ns: NsRef, names: string[]): Promise<RawLink[] | null>;
  /** Only sysctl values of one namespace (paths under /proc/sys); null when it does not exist. */
  readSysctls(ns: NsRef, paths: string[]): Promise<Record<string, string> | null>;
  /** Namespaces ctnet created (marked under its run directory); `only`: just these names (a watch pass about a few). */
  listOwnedNetns(only?: string[]): Promise<OwnedNetns[]>;
  /** Every named namespace (/run/netns) other than the one playing the host. */
  listNamedNetns(): Promise<{ name: string; path: string }[]>;
  /** Files in which ctnet manages a block (hosts, resolv.conf), with their current text. */
  listHostsFiles(): Promise<RawHostsFile[]>;
  /** `nft -j list table inet <table>` of ns (default: `ctnet`, the default project's), parsed; null when
   *  that table does not exist. */
  dumpNft(ns: NsRef, table?: string): Promise<unknown | null>;
  /** The names of ctnet's tables in ns, one per project. */
  listNftTables(ns: NsRef): Promise<string[]>;
  /** ctnet's rules in Docker's DOCKER-USER chain (kernel/fw.ts); null when there is no such chain. */
  readFwRules(ns: NsRef): Promise<RawFwRule[] | null>;
  /** Set the neighbour entries of containers just attached on their bridge (kernel/announce.ts); best effort. */
  announce(ns: NsRef, bridge: string, entries: { ip: string; mac: string }[]): Promise<void>;
  /** Base chains of other tables on the forward hook whose policy is drop, with their simple accepts. */
  forwardDrops(ns: NsRef): Promise<ForwardDrop[]>;
  /** Which project each owned route of the host namespace belongs to, when not `default`. */
  listRouteRecords(): Promise<RouteRecord[]>;
  /** What the last verified apply of a project asked for (a digest per key), if recorded. */
  readApplied(project: string): Promise<Record<string, string> | undefined>;
  writeApplied(project: string, digests: Record<string, string>): Promise<void>;
  /** Sockets bound in ns on any of `ports` (TCP listening, UDP unconnected), with their owner when found. */
  listeners(ns: NsRef, ports: number[]): Promise<Listener[]>;
  /** Take one of the host's locks (`write`: changing the host; `watch`: managing it), waiting up to timeoutMs
   *  for the holder; throws LockError naming it. A killed holder's lock is gone with it. */
  lock(kind: LockKind, me: LockHolder, timeoutMs: number): Promise<HostLock>;
  /** The `ctnet watch` daemon that manages this project on this host, if one runs. */
  manager(project?: string): Promise<LockHolder | undefined>;
  /** Listen for changes: rtnetlink events per namespace and nftables commits in the host. */
  events(handlers: EventHandlers): EventSockets;
  /** Execute one operation. Throws KernelError. No retries, no decisions. */
  run(op: Operation): Promise<void>;
  /** Release sockets and namespace handles. */
  close(): Promise<void>;
  /** Close what the adapter holds open inside ns: an open socket keeps a deleted namespace (and its
   *  veth ends) alive. `ctnet watch` keeps one adapter across passes and releases vanished namespaces. */
  release(ns: NsRef): void;
  /** Check each namespace file again on its next use, and drop a socket whose file now names another
   *  namespace (deleted and made again meanwhile). `ctnet watch` calls it at the start of every pass. */
  revalidate(): void;
  /** Close the request sockets kept inside container namespaces (the host's stays). `ctnet watch` calls it
   *  after each pass: until the next one nothing is asked there (reads do not use them), and 1000 kept
   *  sockets are ~2 MB of an idle daemon; opening one again costs ~50 us. */
  rest(): void;
}

/** A forward base chain that is not ctnet's, whose policy is drop (kernel/forward.ts). `accepts`: its
 *  rules, and those of Docker's DOCKER-USER chain in the same table, that accept on nothing but the input
 *  and/or output interface name. */
export interface ForwardDrop {
  family: string;
  table: string;
  chain: string;
  userChain?: string;
  accepts: { iif?: string; oif?: string }[];
}

/** One of ctnet's accept rules in Docker's DOCKER-USER chain, from its comment "ctnet:<project>:<key>". */
export interface RawFwRule { dir: 'in' | 'out'; dev: string; project: string; key: string; chain: string }
