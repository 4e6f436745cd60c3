// Pure: a container's hosts file and resolv.conf as owned blocks (HostsFileObj).
// The hosts block holds the container's own names on each network and its links
// (Docker's --link: "IP alias name"); resolv.conf points at the gateway of each
// network with `dns: true`. Built from the same addresses as the veths, so when
// an address changes the names follow in the same plan.
import { hostsKey, resolvKey } from '../model/keys.js';
import { LOCALHOST_LINES } from '../model/hosts-block.js';
import { HOST, type HostsFileObj, type SourceRef } from '../model/state.js';
import { attachmentId } from './allocate.js';
import { linkNetwork, namesByNetwork, type Addresses } from './names.js';
import { lazyRef } from './source.js';
import type { Container, Topology } from './types.js';

/** At most this many nameservers are read by glibc. */
const MAXNS = 3;

function hostsLines(full: Topology, c: Container, addresses: Addresses, own: ReturnType<typeof namesByNetwork>): string[] {
  const lines: string[] = [];
  const line = (ip: string | undefined, names: string[]) => { if (ip) lines.push(`${ip}\t${names.join(' ')}`); };
  for (const a of c.attachments) {
    const e = own.get(a.network)?.find((x) => x.container === c.name); // only containers with names get here
    if (e) { line(e.ipv4, e.names); line(e.ipv6, e.names); }
  }
  for (const l of c.links) {
    const net = linkNetwork(full, c.name, l.container);
    if (!net) continue; // rules-links reports it; compile is never reached with errors
    const got = addresses.get(attachmentId(l.container, net)) ?? {};
    const names = l.alias && l.alias !== l.container ? [l.alias, l.container] : [l.container];
    line(got.ipv4, names);
    line(got.ipv6, names);
  }
  return lines;
}

const hasAliases = (a: { aliases: string[] }) => a.aliases.length > 0;

export function compileNames(full: Topology, t: Topology, addresses: Addresses): { obj: HostsFileObj; src?: SourceRef }[] {
  const out: { obj: HostsFileObj; src?: SourceRef }[] = [];
  // Every container's names, built for the first hosts file (most topologies have none: no links, no aliases).
  let own: ReturnType<typeof namesByNetwork> | undefined;
  // Nothing per container is built unless it has something to write (an edit compiles all of them).
  let dns = false;
  for (const n of full.networks.values()) dns ||= n.dns;
  for (const c of t.containers.values()) {
    if (c.networkMode !== 'bridge') continue;
    // A hosts file is ctnet's business when the container has links or aliases, or names the file
    // itself; other containers keep whatever their runtime gives them.
    const wanted = c.links.length > 0 || c.attachments.some(hasAliases) || c.hostsFileGiven;
    if (c.hostsFile && wanted) {
      const src = lazyRef(t.sources, c.links.length ? ['containers', c.name, 'links'] : ['containers', c.name]);
      const obj: HostsFileObj = {
        kind: 'hosts', key: hostsKey(c.name), ns: HOST, path: c.hostsFile,
        block: hostsLines(full, c, addresses, own ??= namesByNetwork(full, addresses)).join('\n'), header: LOCALHOST_LINES,
      };
      out.push(src ? { obj, src } : { obj });
    }
    // A network's server answers on each gateway address; the IPv4 one is named when there is one (as
    // before dual stack), an IPv6-only network's IPv6 gateway otherwise.
    if (!dns) continue;
    const servers = c.attachments.map((a) => full.networks.get(a.network)).filter((n) => n?.dns)
      .map((n) => (n!.gateway ?? n!.ipv6Gateway)!).filter((s) => s !== undefined);
    const named = c.netns !== undefined && !c.netns.startsWith('/');
    const resolvPath = named ? `/etc/netns/${c.netns}/resolv.conf` : c.resolvFile;
    if (resolvPath && servers.length) {
      const obj: HostsFileObj = {
        kind: 'hosts', key: resolvKey(c.name), ns: HOST, path: resolvPath,
        block: servers.slice(0, MAXNS).map((s) => `nameserver ${s}`).join('\n'),
      };
      out.push({ obj, src: lazyRef(t.sources, ['containers', c.name, 'networks']) });
    }
  }
  return out;
}
