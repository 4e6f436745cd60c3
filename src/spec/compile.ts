// Pure: Topology (+ previous allocations from the kernel) -> DesiredState, keyed
// exactly as observe() keys what it finds (src/model/keys.ts), so that plan() can
// match the two sides by key alone.
import { SpecError } from '../errors.js';
import { addrKey, bridgeKey, DEFAULT_PROJECT, DOCKER_USER_CHAIN, fwacceptKey, loKey, netnsKey, routeKey, vethKey, withOwner } from '../model/keys.js';
import { DOCKER_REF, HOST, netnsPath, type DesiredState, type NsRef, type ObservedState, type OwnedObj, type SourceRef } from '../model/state.js';
import { allocate, attachmentId } from './allocate.js';
import { compileNames } from './compile-names.js';
import { compileRoutes } from './compile-routes.js';
import { firewallObjects } from './compile-nft.js';
import { parseCidr, parseIp, v4MacBytes } from '../model/ip.js';
import { sha256hex } from './normalize.js';
import { attachmentPath, lazyRef, type Segments } from './source.js';
import type { Container, Network, Topology } from './types.js';

/** The namespace file of a container, following `container:<x>` chains; HOST for host mode. */
export function nsRefOf(t: Topology, c: Container): NsRef | undefined {
  let cur: Container | undefined = c;
  for (let hops = 0; cur && hops <= t.containers.size; hops++) {
    if (cur.networkMode === 'host') return HOST;
    if (cur.networkMode === 'container') { cur = t.containers.get(cur.modeContainer!); continue; }
    // A Docker container: its process's namespace once resolved (running), else a reference to no file (waiting).
    if (cur.docker !== undefined) return cur.netns ?? (cur.pid !== undefined ? `/proc/${cur.pid}/ns/net` : `${DOCKER_REF}${cur.docker}`);
    if (cur.netns !== undefined) return cur.netns.startsWith('/') ? cur.netns : `/run/netns/${cur.netns}`;
    if (cur.pid !== undefined) return `/proc/${cur.pid}/ns/net`;
    return undefined;
  }
  return undefined; // a cycle or an unknown container: rules report it
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

export function compile(full: Topology, observed: ObservedState | undefined, opts: { host?: string } = {}): DesiredState {
  // Allocate over the whole topology so every host computes the same addresses.
  const { addresses, diagnostics } = allocate(full, observed);
  if (diagnostics.some((d) => d.severity === 'error')) throw new SpecError(diagnostics);
  const t = forHost(full, opts.host);
  const objects = new Map<string, OwnedObj>();
  const origin = new Map<string, SourceRef>();
  const add = (obj: OwnedObj, src: SourceRef | undefined, segs?: Segments) => {
    withOwner(obj);
    objects.set(obj.key, obj);
    // Positions are resolved only if someone reads them (a plan line pointing at the YAML).
    const at = segs ? lazyRef(t.sources, segs, src && (() => src)) : src;
    if (at) origin.set(obj.key, at);
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

  for (const c of t.containers.values()) {
    if (c.networkMode === 'host') continue; // the host's own namespace: ctnet changes nothing
    const ns = nsRefOf(full, c);
    if (ns === undefined) continue;
    const named = c.netns !== undefined && !c.netns.startsWith('/');
    if (c.create && named) {
      const obj = { kind: 'netns' as const, key: netnsKey(c.netns!), owner: { container: c.name }, name: c.netns!, path: `/run/netns/${c.netns}` };
      add(c.networkMode === 'container' ? { ...obj, shareOf: ns } : obj, c.src, ['containers', c.name, 'netns']);
    }
    if (c.networkMode === 'container') continue; // the other container configures the shared namespace
    add({ kind: 'loopback', key: loKey(c.name), ns, up: true }, c.src);
    for (const a of c.attachments) {
      const n = t.networks.get(a.network);
      if (!n) continue;
      const at = attachmentPath(c, a);
      const got = addresses.get(attachmentId(c.name, n.name)) ?? {};
      add({
        kind: 'veth', key: vethKey(c.name, n.name), ns: HOST,
        name: 'vc' + sha256hex(`${c.name}/${n.name}`).slice(0, 10),
        bridge: n.bridgeName, mtu: mtuOf(n), up: true,
        peerNs: ns, peerName: a.interface,
        peerMac: a.macAddress ?? macFrom(got.ipv4, `${c.name}/${n.name}`),
        peerUp: true, ipv6: n.ipv6Subnet !== undefined,
      }, a.src);
      const fams = [[4, got.ipv4, n.subnet, n.gateway, 'ipv4_address', '0.0.0.0/0'],
        [6, got.ipv6, n.ipv6Subnet, n.ipv6Gateway, 'ipv6_address', '::/0']] as const;
      for (const [family, address, subnet, gateway, field, dst] of fams) {
        if (!address || !subnet) continue;
        const prefix = prefixOf(subnet);
        add({ kind: 'addr', key: addrKey(c.name, a.interface, address, prefix), ns, dev: a.interface, family, address, prefix },
          a.src, [...at, field]);
        if (a.defaultRoute && gateway) {
          add({ kind: 'route', key: routeKey(c.name, dst), ns, family, dst, via: gateway, dev: a.interface }, a.src, [...at, 'default_route']);
        }
      }
    }
  }
  // Published ports, masquerade and isolation: ctnet's nftables table and the sysctls it needs.
  const firstNet = t.networks.values().next().value;
  if (overlay) add(overlay.obj, overlay.src);
  const remotes = [...new Set(routes.map((r) => r.obj.dst))];
  for (const o of firewallObjects(t, (c, n) => addresses.get(attachmentId(c, n)) ?? {}, observed, remotes)) add(o, firstNet?.src);
  for (const { obj, src } of compileNames(full, t, addresses)) add(obj, src);
  for (const { obj, src } of routes) add(obj, src);
  // Everything of a project other than `default` carries it: the kernel adapter writes it into the marks.
  if (t.project !== DEFAULT_PROJECT) for (const o of objects.values()) o.owner = { ...o.owner, project: t.project };
  return { objects, origin, nsLabels: withLeaving(namespacesOf(t), observed), ...(t.project !== DEFAULT_PROJECT ? { project: t.project } : {}) };
}

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
