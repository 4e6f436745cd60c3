// Test support: an in-memory Kernel (src/kernel/port.ts) for the unit suite. Not part of the product;
// test/kernel/contract.test.ts runs the same operations on it and on the real adapter and compares.
// An in-memory Kernel for tests without root (the role knftables.Fake plays for
// CNI). It applies each Operation with the kernel's semantics as measured in
// KERNEL-FACTS: EEXIST on duplicate names, ENODEV for missing links, a veth
// dies with its peer, addresses and routes die with their link, a namespace
// takes its contents along, route REPLACE is keyed by (dst, metric) and takes
// over a foreign route, and marks (alias, IFA_PROTO, route protocol) read back
// exactly as the real adapter's dump() returns them.
import { KernelError } from '../../src/errors.js';
import { FakeRecords } from './fake-records.js';
import { formatIp, inCidr, parseIfaceCidr } from '../../src/model/ip.js';
import { aliasFor, CTNET_LINK_GROUP, CTNET_PROTO, NFT_TABLE } from '../../src/model/keys.js';
import type { Operation } from '../../src/model/ops.js';
import { HOST, type NsRef } from '../../src/model/state.js';
import { FakeFiles } from './fake-files.js';
import { adjustBridgeMtu, fail, FNs, linkOf, network, putAddr, putRoute, RTPROT_KERNEL, RTPROT_STATIC, type FLink } from './fake-space.js';
import type { ForwardDrop, Kernel, RawFwRule, Listener, NsDump, OwnedNetns, RawAddr, RawHostsFile, RawLink, RawRoute, RouteRecord } from '../../src/kernel/port.js';

export class FakeKernel implements Kernel {
  private spaces = new Map<NsRef, FNs>([[HOST, new FNs()]]);
  private owned = new Map<string, OwnedNetns>();
  /** hosts/resolv.conf files (tests may add foreign ones to `fs.files`). */
  readonly fs = new FakeFiles();
  private runs = 0;
  private failRun?: number;
  /** Every operation that changed something, in order. */
  readonly log: Operation[] = [];

  constructor() {
    this.spaces.get(HOST)!.links[0].up = true;
  }

  // ---- test helpers: the world as a user or another tool left it ----

  /** Make the n-th run() from now throw (1 = the next one), changing nothing; with `errno`, the answer
   *  the kernel gives when the host is not as the plan read it (ENODEV, EEXIST), default EIO. */
  failAt(n: number, errno = 'EIO'): void { this.failRun = this.runs + n; this.failErrno = errno; }
  private failErrno = 'EIO';

  /** A namespace not created by ctnet (like `ip netns add`). */
  addNamespace(path: NsRef, opts: { loUp?: boolean } = {}): void {
    const ns = new FNs();
    ns.links[0].up = opts.loUp ?? false;
    this.spaces.set(path, ns);
  }

  /** The namespace vanishes behind ctnet's back (ctnet's marker, if any, stays). */
  removeNamespace(path: NsRef): void { this.destroy(path); }

  addLink(ns: NsRef, l: { name: string; kind?: string; mtu?: number; mac?: string; up?: boolean; alias?: string; master?: string }): number {
    const space = this.need(ns, 'add link');
    if (this.find(space, l.name)) throw fail(`add link "${l.name}"`, 'EEXIST', 'File exists');
    const link: FLink = { index: space.nextIndex++, name: l.name, mtu: l.mtu ?? 1500, mac: l.mac ?? this.mac(), up: l.up ?? true };
    if (l.kind) link.kind = l.kind;
    if (l.alias) link.alias = l.alias;
    if (l.master) link.master = this.link(space, l.master, 'add link').index;
    space.links.push(link);
    return link.index;
  }

  addAddress(ns: NsRef, dev: string, cidr: string, protocol = 0): void {
    const c = parseIfaceCidr(cidr);
    if (!c) throw fail(`add address "${cidr}"`, 'EINVAL', 'Invalid argument');
    putAddr(this.need(ns, 'add address'), dev, formatIp(c.ip), c.prefix, protocol);
  }

  addRoute(ns: NsRef, r: { dst: string; via?: string; dev?: string; protocol?: number; metric?: number }): void {
    putRoute(this.need(ns, 'add route'), r.dst, r.via, r.dev, r.metric, r.protocol ?? RTPROT_STATIC);
  }

  setSysctl(ns: NsRef, path: string, value: string): void { this.need(ns, 'set sysctl').sysctls.set(path, value); }

  // ---- Kernel ----

  async dump(ns: NsRef, sysctls: string[]): Promise<NsDump | null> {
    const space = this.spaces.get(ns);
    if (!space) return null;
    const values = (await this.readSysctls(ns, sysctls))!;
    return {
      ns,
      ...(ns === HOST ? {} : { id: space.id }),
      links: space.links.map(({ peer: _peer, ...l }) => ({ ...l })),
      addrs: space.addrs.map((a) => ({ ...a })),
      // Like the real dump: RTA_PRIORITY 0 is absent for IPv4.
      routes: space.routes.map(({ metric, ...r }) => (metric ? { ...r, metric } : { ...r })),
      sysctls: values,
    };
  }

  async getLinks(ns: NsRef, names: string[]): Promise<RawLink[] | null> {
    const d = await this.dump(ns, []);
    return d && d.links.filter((l) => names.includes(l.name));
  }

  async readSysctls(ns: NsRef, paths: string[]): Promise<Record<string, string> | null> {
    const space = this.spaces.get(ns);
    if (!space) return null;
    const values: Record<string, string> = {};
    for (const p of paths) if (space.sysctls.has(p)) values[p] = space.sysctls.get(p)!;
    return values;
  }

  async listNamedNetns(): Promise<{ name: string; path: string }[]> {
    return [...this.spaces.keys()].filter((p) => p.startsWith('/run/netns/')).sort().map((path) => ({ name: path.slice('/run/netns/'.length), path }));
  }

  async listOwnedNetns(only?: string[]): Promise<OwnedNetns[]> {
    return [...this.owned.values()].filter((o) => !only || only.includes(o.name)).sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((o) => ({ ...o, exists: this.spaces.has(o.path) }));
  }

  async listHostsFiles(): Promise<RawHostsFile[]> { return this.fs.list(); }

  /** nft tables, route records and applied records (fake-records.ts). */
  readonly records = new FakeRecords();
  get nft(): Map<NsRef, Map<string, unknown>> { return this.records.nft; }
  async dumpNft(ns: NsRef, table = NFT_TABLE): Promise<unknown | null> { return this.nft.get(ns)?.get(table) ?? null; }
  async listNftTables(ns: NsRef): Promise<string[]> { return this.records.listNftTables(ns); }
  /** Other people's forward chains with policy drop (set by a test). */
  drops: ForwardDrop[] = [];
  async forwardDrops(): Promise<ForwardDrop[]> { return this.drops; }
  /** Docker's DOCKER-USER chain (undefined: no such chain) and ctnet's rules in it. */
  dockerUser: RawFwRule[] | undefined = undefined;
  async readFwRules(): Promise<RawFwRule[] | null> { return this.dockerUser ? [...this.dockerUser] : null; }
  /** The neighbour hints apply gave (kernel/announce.ts). */
  announced: { ns: NsRef; bridge: string; ip: string; mac: string }[] = [];
  async announce(ns: NsRef, bridge: string, entries: { ip: string; mac: string }[]): Promise<void> { for (const e of entries) this.announced.push({ ns, bridge, ...e }); }
  async listRouteRecords(): Promise<RouteRecord[]> { return this.records.listRouteRecords(); }
  async readApplied(project: string): Promise<Record<string, string> | undefined> { return this.records.applied.get(project); }
  async writeApplied(project: string, digests: Record<string, string>): Promise<void> { this.records.applied.set(project, digests); }
  /** Sockets "bound by host processes", for the published-port warning. */
  readonly bound: Listener[] = [];
  async listeners(_ns: NsRef, ports: number[]): Promise<Listener[]> { return this.bound.filter((l) => ports.includes(l.port)); }

  async run(op: Operation): Promise<void> {
    this.runs++;
    if (this.runs === this.failRun) throw fail(`${op.op} (injected)`, this.failErrno, `injected failure at run ${this.runs}`);
    this.apply(op);
    this.log.push(op);
    this.afterRun?.(op);
  }
  /** Called after each run(): another tool changing the host right after ctnet's step (a tamper still going on). */
  afterRun?: (op: Operation) => void;

  async close(): Promise<void> {}
  /** One process, one fake host: locks are always free (the real ones are tested in test/netns/lock.test.ts). */
  async lock(): Promise<{ release(): void }> { return { release: () => undefined }; }
  async manager(): Promise<undefined> { return undefined; }
  /** No events: the unit tests call passes directly. */
  events(): { sync(): string[]; close(): void } { return { sync: () => [], close: () => undefined }; }
  release(_ns: NsRef): void {}
  revalidate(): void {}
  rest(): void {}

  // ---- semantics ----

  private apply(op: Operation): void {
    switch (op.op) {
      case 'netns.create': {
        const o = op.obj;
        if (this.spaces.has(o.path)) throw fail(`create namespace "${o.path}"`, 'EEXIST', 'File exists');
        if (o.shareOf) {
          const target = this.spaces.get(o.shareOf.startsWith('/') ? o.shareOf : `/run/netns/${o.shareOf}`);
          if (!target) throw fail(`share namespace "${o.shareOf}"`, 'ENOENT', 'No such file or directory');
          this.spaces.set(o.path, target);
        } else {
          this.addNamespace(o.path, { loUp: true }); // the adapter brings lo up right after creating
        }
        this.owned.set(o.name, {
          name: o.name, path: o.path, exists: true, ...(o.shareOf ? { shareOf: o.shareOf } : {}), ...(o.owner?.project ? { project: o.owner.project } : {}),
          ...(o.owner?.container ? { container: o.owner.container } : {}),
        });
        return;
      }
      case 'netns.delete': {
        const o = op.obj;
        if (!this.spaces.has(o.path) && !this.owned.has(o.name)) throw fail(`delete namespace "${o.path}"`, 'ENOENT', 'No such file or directory');
        this.destroy(o.path);
        this.owned.delete(o.name);
        return;
      }
      case 'link.create': {
        const o = op.obj;
        const space = this.need(o.ns, `create ${o.kind} "${o.name}"`);
        if (this.find(space, o.name)) throw fail(`create ${o.kind} "${o.name}"`, 'EEXIST', 'File exists');
        const base = { alias: aliasFor(o.key, o.owner?.project), group: CTNET_LINK_GROUP, mtu: o.mtu };
        if (o.kind === 'bridge') {
          space.links.push({ index: space.nextIndex++, name: o.name, kind: 'bridge', mac: o.mac, up: o.up, ...base });
          return;
        }
        const what = `create veth "${o.name}"`;
        const peerSpace = this.need(o.peerNs, what);
        const master = this.link(space, o.bridge, what);
        if (this.find(peerSpace, o.peerName) || (peerSpace === space && o.peerName === o.name)) throw fail(what, 'EEXIST', 'File exists');
        const host: FLink = { index: space.nextIndex++, name: o.name, kind: 'veth', mac: this.mac(), up: o.up, master: master.index, ...base };
        space.links.push(host);
        const peer: FLink = { index: peerSpace.nextIndex++, name: o.peerName, kind: 'veth', mac: o.peerMac, up: o.peerUp, ...base };
        peerSpace.links.push(peer);
        host.peer = { ns: peerSpace, index: peer.index };
        peer.peer = { ns: space, index: host.index };
        adjustBridgeMtu(space, [master.index]);
        return;
      }
      case 'link.update': {
        const o = op.obj;
        const space = this.need(o.ns, `update ${o.kind}`);
        if (o.kind === 'loopback') { this.link(space, 'lo', 'update loopback').up = o.up; return; }
        const link = this.link(space, o.name, `update ${o.kind} "${o.name}"`);
        if (o.kind === 'bridge') {
          // Setting a bridge's MTU (to another value) stops the kernel from following its ports' MTU.
          if (link.mtu !== o.mtu) link.mtuSetByUser = true;
          Object.assign(link, { mtu: o.mtu, mac: o.mac, up: o.up });
          return;
        }
        const master = this.link(space, o.bridge, `update veth "${o.name}"`);
        const peer = this.link(this.need(o.peerNs, 'update veth peer'), o.peerName, `update veth peer "${o.peerName}"`);
        const oldMaster = link.master;
        Object.assign(link, { mtu: o.mtu, up: o.up, master: master.index });
        Object.assign(peer, { mtu: o.mtu, mac: o.peerMac, up: o.peerUp });
        adjustBridgeMtu(space, [oldMaster, master.index]);
        return;
      }
      case 'link.delete': {
        const space = this.need(op.ns, 'delete links');
        // As the real adapter: a link that is already gone counts as deleted.
        const links = op.objs.map((o) => this.find(space, o.name)).filter((l): l is NonNullable<typeof l> => l !== undefined);
        for (const l of links) if (space.links.includes(l)) this.removeLink(space, l);
        return;
      }
      case 'addr.add':
        putAddr(this.need(op.obj.ns, 'add address'), op.obj.dev, op.obj.address, op.obj.prefix, CTNET_PROTO);
        return;
      case 'addr.delete': {
        const o = op.obj;
        const space = this.need(o.ns, 'delete address');
        const link = this.link(space, o.dev, `delete address ${o.address}/${o.prefix}`);
        const i = space.addrs.findIndex((a) => a.index === link.index && a.address === o.address && a.prefix === o.prefix);
        if (i < 0) throw fail(`delete address ${o.address}/${o.prefix}`, 'EADDRNOTAVAIL', 'Cannot assign requested address');
        space.addrs.splice(i, 1);
        const dst = `${network(o.address, o.prefix)}/${o.prefix}`;
        space.routes = space.routes.filter((r) => !(r.protocol === RTPROT_KERNEL && r.oif === link.index && r.dst === dst));
        // As Linux (fib_sync_down_addr): an IPv4 route through a gateway that no address left on the link
        // reaches is removed with the address (IPv6 keeps it).
        if (o.family === 4) {
          const reach = space.addrs.filter((a) => a.index === link.index && a.family === 4).map((a) => `${network(a.address, a.prefix)}/${a.prefix}`);
          space.routes = space.routes.filter((r) => !(r.family === 4 && r.oif === link.index && r.gateway && !reach.some((c) => inCidr(c, r.gateway!))));
        }
        return;
      }
      case 'route.replace':
        this.records.routeMade(op.obj);
        putRoute(this.need(op.obj.ns, 'replace route'), op.obj.dst, op.obj.via, op.obj.dev, op.obj.metric, CTNET_PROTO);
        return;
      case 'route.delete': {
        const o = op.obj;
        const space = this.need(o.ns, 'delete route');
        const metric = o.metric ?? (o.family === 6 ? 1024 : 0);
        // The protocol acts as a filter: a foreign route with the same dst is never removed.
        const i = space.routes.findIndex((r) => r.dst === o.dst && r.metric === metric && r.protocol === CTNET_PROTO);
        if (i < 0) throw fail(`delete route ${o.dst}`, 'ESRCH', 'No such process');
        space.routes.splice(i, 1);
        this.records.routeGone(o);
        return;
      }
      case 'hosts.write': this.fs.write(op.obj); return;
      case 'hosts.delete': this.fs.delete(op.obj); return;
      case 'nft.apply': this.records.applyNft(op); return;
      case 'fw.insert': {
        if (!this.dockerUser) throw new Error('no DOCKER-USER chain');
        const project = op.obj.owner?.project ?? 'default';
        for (const dir of ['in', 'out'] as const) {
          if (!this.dockerUser.some((r) => r.key === op.obj.key && r.dir === dir && r.project === project)) this.dockerUser.unshift({ dir, dev: op.obj.bridge, project, key: op.obj.key, chain: op.obj.chain });
        }
        return;
      }
      case 'fw.delete': {
        const project = op.obj.owner?.project ?? 'default';
        if (this.dockerUser) this.dockerUser = this.dockerUser.filter((r) => !(r.key === op.obj.key && r.project === project));
        return;
      }
      case 'sysctl.set':
        this.need(op.obj.ns, `set ${op.obj.path}`).sysctls.set(op.obj.path, op.obj.value);
        return;
    }
  }

  private need(ns: NsRef, action: string): FNs {
    const space = this.spaces.get(ns);
    if (!space) throw fail(`${action} in namespace "${ns}"`, 'ENOENT', 'No such file or directory');
    return space;
  }

  private find(space: FNs, name: string): FLink | undefined { return space.links.find((l) => l.name === name); }

  private link(space: FNs, name: string, action: string): FLink { return linkOf(space, name, action); }

  private macCount = 0;
  private mac(): string {
    const n = ++this.macCount;
    return `02:fa:ce:00:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  }

  /** Unregister a link: its addresses and routes go, ports lose their master, a veth takes its peer. */
  private removeLink(space: FNs, link: FLink): void {
    if (!space.links.includes(link)) return;
    space.links = space.links.filter((l) => l !== link);
    space.addrs = space.addrs.filter((a) => a.index !== link.index);
    space.routes = space.routes.filter((r) => r.oif !== link.index);
    for (const l of space.links) if (l.master === link.index) delete l.master;
    adjustBridgeMtu(space, [link.master]); // a port gone (also when its peer's namespace went)
    if (link.peer) {
      const { ns: peerSpace, index } = link.peer;
      delete link.peer;
      const peer = peerSpace.links.find((l) => l.index === index);
      if (peer) { delete peer.peer; this.removeLink(peerSpace, peer); }
    }
  }

  /** Drop a name; when it was the last name of the namespace, the namespace dies with its links. */
  private destroy(path: NsRef): void {
    const space = this.spaces.get(path);
    this.spaces.delete(path);
    if (!space || [...this.spaces.values()].includes(space)) return;
    for (const l of [...space.links]) this.removeLink(space, l);
  }

}
