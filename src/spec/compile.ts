// Pure: Topology (+ previous allocations from the kernel) -> DesiredState, keyed
// exactly as observe() keys what it finds (src/model/keys.ts), so that plan() can
// match the two sides by key alone.
import { SpecError } from '../errors.js';
import { addrKey, bridgeKey, DEFAULT_PROJECT, DOCKER_USER_CHAIN, fwacceptKey, labelOwned, loKey, netnsKey, routeKey, vethKey, withOwner } from '../model/keys.js';
import { DOCKER_REF, HOST, netnsPath, type AddrObj, type DesiredState, type LoopbackObj, type RouteObj, type NsRef, type ObservedState, type Origins, type OwnedObj, type SourceRef } from '../model/state.js';
import { allocate, attachmentId, type Assigned } from './allocate.js';
import { compileNames } from './compile-names.js';
import { compileRoutes } from './compile-routes.js';
import { firewallObjects } from './compile-nft.js';
import { parseCidr, parseIp, v4MacBytes } from '../model/ip.js';
import { memoized } from '../model/memo.js';
import { sha256hex } from './normalize.js';
import { attachmentPath, refIn, type Segments } from './source.js';
import type { Container, Network, Topology } from './types.js';

/** The namespace file of a container, following `container:<x>` chains; HOST for host mode. */
export function nsRefOf(t: Topology, c: Container): NsRef | undefined {
  // A container with a namespace of its own names it by itself alone: remembered per container (normalize
  // gives an unchanged entry the same object), since an edit asks for each of 1000 several times.
  if (c.networkMode === 'bridge' || c.networkMode === 'none') {
    let ns = ownNs.get(c);
    if (ns === undefined && !ownNs.has(c)) ownNs.set(c, ns = nsOfOwn(c));
    return ns;
  }
  let cur: Container | undefined = c;
  for (let hops = 0; cur && hops <= t.containers.size; hops++) {
    if (cur.networkMode === 'host') return HOST;
    if (cur.networkMode === 'container') { cur = t.containers.get(cur.modeContainer!); continue; }
    return nsRefOf(t, cur);
  }
  return undefined; // a cycle or an unknown container: rules report it
}
const ownNs = new WeakMap<Container, NsRef | undefined>();

function nsOfOwn(c: Container): NsRef | undefined {
  // A Docker container: its process's namespace once resolved (running), else a reference to no file (waiting).
  if (c.docker !== undefined) return c.netns ?? (c.pid !== undefined ? `/proc/${c.pid}/ns/net` : `${DOCKER_REF}${c.docker}`);
  if (c.netns !== undefined) return c.netns.startsWith('/') ? c.netns : `/run/netns/${c.netns}`;
  if (c.pid !== undefined) return `/proc/${c.pid}/ns/net`;
  return undefined;
}

/** Every namespace the topology configures, labelled 'host' or with the container that owns it. */
export function namespacesOf(t: Topology): Map<NsRef, string> {
  const out = new Map<NsRef, string>([[HOST, 'host']]);
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge' && c.networkMode !== 'none') continue;
    const ns = nsRefOf(t, c);
    if (ns !== undefined && !out.has(ns)) out.set(ns, c.name);
  }
  return out;
}

/** Keep what belongs to `host` or to no host (multi-host topologies, `apply --host`). */
export function forHost(t: Topology, host: string | undefined): Topology {
  if (host === undefined) return t;
  const mine = <T extends { host?: string }>(m: Map<string, T>) => new Map([...m].filter(([, v]) => v.host === undefined || v.host === host));
  return { ...t, networks: mine(t.networks), containers: mine(t.containers) };
}

const macFrom = (ip: string | undefined, seed: string) => {
  const v4 = ip ? parseIp(ip) : undefined;
  return `02:42:${v4 ? v4MacBytes(v4) : sha256hex(seed).slice(0, 8).match(/../g)!.join(':')}`;
};
const prefixOf = (cidr: string | undefined) => (cidr ? parseCidr(cidr)?.prefix ?? 0 : 0);

/** What compile made for each container the last time, for a caller that compiles the same topology again
 *  and again (`ctnet watch`, at every edit of its files): a container whose inputs are the same gets the
 *  very objects it got before. An edit of one container of 1000 then builds that container's few objects
 *  instead of ~5000, and the objects that did not change are the same ones in the old and the new desired
 *  state, which the comparison of the two (model/parts changedParts) passes at a glance and the garbage
 *  collector does not copy again. Safe because desired objects are never changed once compiled. */
export type CompileMemo = Map<string, { c: Container; deps: string; made: Made[] }>;
/** An object and where in the input it comes from (resolved against the topology being compiled). */
interface Made { obj: OwnedObj; segs: Segments }

export function compile(full: Topology, observed: ObservedState | undefined, opts: { host?: string; memo?: CompileMemo } = {}): DesiredState {
  // Allocate over the whole topology so every host computes the same addresses.
  const { addresses, diagnostics } = allocate(full, observed);
  if (diagnostics.some((d) => d.severity === 'error')) throw new SpecError(diagnostics);
  const t = forHost(full, opts.host);
  const objects = new Map<string, OwnedObj>();
  const origin = new CompiledOrigins(t);
  const project = t.project !== DEFAULT_PROJECT ? t.project : undefined;
  const add = (obj: OwnedObj, src: SourceRef | undefined, segs?: Segments) => {
    owned(obj, project);
    objects.set(obj.key, obj);
    // Positions are resolved only if someone reads them (a plan line pointing at the YAML).
    if (segs) origin.set(obj.key, segs, src);
    else if (src) origin.set(obj.key, src);
  };

  const { routes, overlay } = compileRoutes(full, opts.host, observed);
  // Containers whose traffic may cross the overlay get its MTU unless the network says otherwise: a full-size
  // packet would not fit in the encapsulation, and a large ping with DF set would fail.
  const mtuOf = (n: Network) => (overlay && !n.mtuGiven ? Math.min(n.mtu, overlay.obj.mtu) : n.mtu);
  // Docker's FORWARD policy drop would drop the networks' traffic: ctnet's own accepts where Docker keeps
  // its users' rules (opt-in; plan and apply warn otherwise, spec/rules-forward.ts). IPv4: Docker's chain is.
  if (full.firewall?.dockerUser) {
    for (const n of t.networks.values()) {
      if (!n.subnet) continue;
      add({ kind: 'fwaccept', key: fwacceptKey(n.name), owner: { network: n.name }, ns: HOST, chain: DOCKER_USER_CHAIN, bridge: n.bridgeName }, n.src);
    }
  }
  for (const n of t.networks.values()) {
    const gw = n.gateway ? parseIp(n.gateway) : undefined;
    const mac = `02:42:${gw && gw.family === 4 ? v4MacBytes(gw) : sha256hex(n.name).slice(0, 8).match(/../g)!.join(':')}`;
    add({ kind: 'bridge', key: bridgeKey(n.name), ns: HOST, name: n.bridgeName, mtu: mtuOf(n), mac, up: true }, n.src);
    const gws = [[4, n.gateway, n.subnet, 'gateway'], [6, n.ipv6Gateway, n.ipv6Subnet, 'ipv6_gateway']] as const;
    for (const [family, address, subnet, field] of gws) {
      if (!address || !subnet) continue;
      const prefix = prefixOf(subnet);
      add({ kind: 'addr', key: addrKey('host', n.bridgeName, address, prefix), owner: { network: n.name }, ns: HOST, dev: n.bridgeName, family, address, prefix },
        n.src, ['networks', n.name, field]);
    }
  }

  const memo = opts.memo;
  const netInputs = memo && networkInputs(t, mtuOf);
  const seen = new Set<string>();
  for (const c of t.containers.values()) {
    if (c.networkMode === 'host') continue; // the host's own namespace: ctnet changes nothing
    const ns = nsRefOf(full, c);
    if (ns === undefined) continue;
    const got = (n: Network) => addresses.get(attachmentId(c.name, n.name)) ?? {};
    let made: Made[];
    if (memo) {
      seen.add(c.name);
      const deps = containerDeps(ns, project, t, c, got, netInputs!);
      const before = memo.get(c.name);
      // The same container: the same object when its text did not change (spec/normalize.ts), else the same data.
      if (before && before.deps === deps && (before.c === c || JSON.stringify(before.c) === JSON.stringify(c))) {
        before.c = c;
        made = before.made;
      } else memo.set(c.name, { c, deps, made: made = containerObjects(c, ns, t, got, mtuOf, project) });
    } else {
      made = containerObjects(c, ns, t, got, mtuOf, project);
    }
    for (const m of made) objects.set(m.obj.key, m.obj);
    origin.made(made);
  }
  if (memo) for (const name of memo.keys()) if (!seen.has(name)) memo.delete(name);
  // Published ports, masquerade and isolation: ctnet's nftables table and the sysctls it needs.
  const firstNet = t.networks.values().next().value;
  if (overlay) add(overlay.obj, overlay.src);
  const remotes = [...new Set(routes.map((r) => r.obj.dst))];
  for (const o of firewallObjects(t, (c, n) => addresses.get(attachmentId(c, n)) ?? {}, observed, remotes)) add(o, firstNet?.src);
  for (const { obj, src } of compileNames(full, t, addresses)) add(obj, src);
  for (const { obj, src } of routes) add(obj, src);
  return { objects, origin, nsLabels: withLeaving(namespacesOf(t), observed), ...(project !== undefined ? { project } : {}) };
}

/** The object with its owner filled in from its key, and the project when it is not `default` (the kernel
 *  adapter writes it into the marks). */
function owned(obj: OwnedObj, project: string | undefined): OwnedObj {
  withOwner(obj);
  if (project !== undefined) obj.owner = { ...obj.owner, project };
  return obj;
}

/** A container's own objects: its namespace (when ctnet creates it), loopback, and per attachment the veth,
 *  addresses and default route: made of the container and of what containerDeps() below names. */
function containerObjects(c: Container, ns: NsRef, t: Topology, got: (n: Network) => Assigned, mtuOf: (n: Network) => number, project: string | undefined): Made[] {
  const made: Made[] = [];
  const add = (obj: OwnedObj, segs: Segments) => made.push({ obj: owned(obj, project), segs });
  const named = c.netns !== undefined && !c.netns.startsWith('/');
  if (c.create && named) {
    const obj = { kind: 'netns' as const, key: netnsKey(c.netns!), owner: { container: c.name }, name: c.netns!, path: `/run/netns/${c.netns}` };
    add(c.networkMode === 'container' ? { ...obj, shareOf: ns } : obj, ['containers', c.name, 'netns']);
  }
  if (c.networkMode === 'container') return made; // the other container configures the shared namespace
  // Owners set where they are known (labelOwned): the same as withOwner() would read from each key, unparsed.
  add(labelOwned<LoopbackObj>({ kind: 'loopback', key: loKey(c.name), ns, up: true }, c.name), ['containers', c.name]);
  for (const a of c.attachments) {
    const n = t.networks.get(a.network);
    if (!n) continue;
    const at = attachmentPath(c, a);
    const addr = got(n);
    add({
      kind: 'veth', key: vethKey(c.name, n.name), ns: HOST,
      name: 'vc' + sha256hex(`${c.name}/${n.name}`).slice(0, 10),
      bridge: n.bridgeName, mtu: mtuOf(n), up: true,
      peerNs: ns, peerName: a.interface,
      peerMac: a.macAddress ?? macFrom(addr.ipv4, `${c.name}/${n.name}`),
      peerUp: true, ipv6: n.ipv6Subnet !== undefined, owner: { container: c.name, network: n.name },
    }, at);
    const fams = [[4, addr.ipv4, n.subnet, n.gateway, 'ipv4_address', '0.0.0.0/0'],
      [6, addr.ipv6, n.ipv6Subnet, n.ipv6Gateway, 'ipv6_address', '::/0']] as const;
    for (const [family, address, subnet, gateway, field, dst] of fams) {
      if (!address || !subnet) continue;
      const prefix = prefixOf(subnet);
      add(labelOwned<AddrObj>({ kind: 'addr', key: addrKey(c.name, a.interface, address, prefix), ns, dev: a.interface, family, address, prefix }, c.name), [...at, field]);
      if (a.defaultRoute && gateway) {
        add(labelOwned<RouteObj>({ kind: 'route', key: routeKey(c.name, dst), ns, family, dst, via: gateway, dev: a.interface }, c.name), [...at, 'default_route']);
      }
    }
  }
  return made;
}

/** Everything containerObjects() reads besides the container itself, as text: the project, the container's
 *  namespace (another container's, for `container:` mode), and each attached network with the MTU it gets and
 *  the addresses allocated to the container on it. More than the objects need, never less: a change of an
 *  input they do not depend on only builds them again. */
function containerDeps(ns: NsRef, project: string | undefined, t: Topology, c: Container, got: (n: Network) => Assigned, nets: Map<string, string>): string {
  let s = `${project}\n${ns}`;
  for (const a of c.attachments) {
    const n = t.networks.get(a.network);
    if (n) { const g = got(n); s += `\n${nets.get(n.name)}\n${g.ipv4}\n${g.ipv6}`; }
  }
  return s;
}

/** Per network, its inputs to its containers' objects (containerDeps) as a short token: the same inputs get
 *  the same token (from one compile to the next), so that each container's text stays short instead of
 *  repeating its networks' whole text (1000 containers: ~400 KB of strings to build and compare per edit). */
function networkInputs(t: Topology, mtuOf: (n: Network) => number): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of t.networks.values()) {
    out.set(n.name, networkToken(`${mtuOf(n)}\n${JSON.stringify({ ...n, src: undefined })}`));
  }
  return out;
}
let nextToken = 0;
/** A forgotten token is only a new one: the containers of that network are built again once. */
const networkToken = memoized(() => `#${nextToken++}`, 10_000);

/** DesiredState.origin of a compiled state: positions resolved against the compiled topology's sources, only
 *  when asked (only a plan line or error pointing at the YAML asks). What compile says is kept in its order as
 *  it said it, a container's objects as the one list it made (an edit's compile would otherwise fill a map of
 *  ~5000 keys that a daemon never reads); the map is built at the first question. */
class CompiledOrigins implements Origins {
  private readonly said: (Made[] | { key: string; where: Segments | SourceRef; fallback?: SourceRef })[] = [];
  private index?: Map<string, { where: Segments | SourceRef; fallback?: SourceRef }>;
  constructor(private readonly t: Topology) {}
  set(key: string, where: Segments | SourceRef, fallback?: SourceRef): void { this.said.push({ key, where, fallback }); this.index = undefined; }
  made(list: Made[]): void { this.said.push(list); this.index = undefined; }
  has(key: string): boolean { return this.indexed().has(key); }
  get(key: string): SourceRef | undefined {
    const at = this.indexed().get(key);
    return at && isSegments(at.where) ? refIn(this.t.sources, this.t.files, at.where, at.fallback) : at?.where as SourceRef | undefined;
  }
  private indexed() {
    if (this.index) return this.index;
    const index = new Map<string, { where: Segments | SourceRef; fallback?: SourceRef }>();
    for (const s of this.said) {
      if (Array.isArray(s)) for (const m of s) index.set(m.obj.key, { where: m.segs });
      else index.set(s.key, s);
    }
    return (this.index = index);
  }
}
const isSegments = (w: Segments | SourceRef | undefined): w is Segments => Array.isArray(w);

/** The namespaces ctnet created that the topology no longer has are read too (label "~<name>"): what a
 *  plan deletes with them (their veth ends, addresses, routes) is then in the observation, so a failed
 *  apply's undo can put it all back, not only the namespace. A second name for another namespace
 *  (`container:` with its own name) holds nothing of its own. A namespace is read under one name only:
 *  one that a labelled name shares is read through that name (and observe reads each namespace once). */
function withLeaving(labels: Map<NsRef, string>, observed: ObservedState | undefined): Map<NsRef, string> {
  const seenThrough = new Set<NsRef>();
  for (const o of observed?.objects.values() ?? []) {
    if (o.kind === 'netns' && o.shareOf && labels.has(o.path)) seenThrough.add(netnsPath(o.shareOf));
  }
  for (const o of observed?.objects.values() ?? []) {
    if (o.kind !== 'netns' || o.shareOf || labels.has(o.path) || seenThrough.has(o.path)) continue;
    if (observed!.presentNs.has(o.path)) labels.set(o.path, `~${o.name}`);
  }
  return labels;
}
