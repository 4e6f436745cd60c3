// Pure: ctnet's blocks in hosts files and resolv.conf said back in the user's words, for `ctnet show`.
// A container's hosts block (spec/compile-names.ts) holds its own names on each network ("IP name
// alias...") and its links ("IP alias target" or "IP target"); its resolv.conf block names the gateway
// of each network with `dns: true`. Reading them back gives aliases, links, hosts_file and dns, so that
// `show` round-trips to an empty plan.
import { parseKey } from '../model/keys.js';
import type { HostsFileObj } from '../model/state.js';

export interface Holder { container: string; network: string }

export interface ShownNames {
  /** container -> network -> aliases (in file order, without the container's own name). */
  aliases: Map<string, Map<string, string[]>>;
  /** container -> links in the topology's short form ("target" or "target:alias"). */
  links: Map<string, string[]>;
  /** container -> the hosts file ctnet writes for it (show prints it when it is not the default). */
  hostsFiles: Map<string, string>;
  /** Networks whose gateway a resolv.conf names: `dns: true`. */
  dnsNetworks: Set<string>;
}

const lines = (block: string) => block.split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w.length >= 2 && w[0] !== '');

/** `holder`: which container and network an address belongs to; `gatewayOf`: the network of a gateway address. */
export function namesOf(files: HostsFileObj[], holder: (addr: string) => Holder | undefined, gatewayOf: (addr: string) => string | undefined): ShownNames {
  const out: ShownNames = { aliases: new Map(), links: new Map(), hostsFiles: new Map(), dnsNetworks: new Set() };
  for (const f of files) {
    const { kind, container = '' } = parseKey(f.key);
    if (kind === 'resolv') {
      for (const [word, addr] of lines(f.block)) {
        const net = word === 'nameserver' ? gatewayOf(addr) : undefined;
        if (net) out.dnsNetworks.add(net);
      }
      continue;
    }
    if (kind !== 'hosts') continue;
    out.hostsFiles.set(container, f.path);
    for (const [addr, ...names] of lines(f.block)) {
      const h = holder(addr);
      if (!h) continue;
      if (h.container === container) {
        // Own line: the container's name, then its aliases on that network (the same for IPv4 and IPv6).
        const byNet = out.aliases.get(container) ?? out.aliases.set(container, new Map()).get(container)!;
        const list = byNet.get(h.network) ?? byNet.set(h.network, []).get(h.network)!;
        for (const n of names.slice(1)) if (!list.includes(n)) list.push(n);
        continue;
      }
      const spec = names.length >= 2 && names[names.length - 1] === h.container ? `${h.container}:${names[0]}` : h.container;
      const list = out.links.get(container) ?? out.links.set(container, []).get(container)!;
      if (!list.includes(spec)) list.push(spec);
    }
  }
  return out;
}
