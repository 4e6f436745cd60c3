// Pure: a topology -> what a drawing of it shows (hosts, networks with subnets and
// bridges, containers with their addresses and published ports, links and aliases,
// peers). The same for `graph -f F` and for `graph` of the kernel (show's topology
// read back through the spec), so both draw the same picture of the same network.
import { allocate, attachmentId } from '../spec/allocate.js';
import type { Port, Topology } from '../spec/types.js';

export interface GNetwork { name: string; bridge: string; subnets: string[]; host?: string; internal: boolean }
export interface GAttach { network: string; addrs: string[]; aliases: string[] }
export interface GContainer { name: string; host?: string; mode: string; attach: GAttach[]; ports: string[]; links: { to: string; alias?: string }[] }
export interface GraphModel {
  project: string;
  hosts: { name: string; address: string }[];
  networks: GNetwork[];
  containers: GContainer[];
  peers: { name: string; via: string; subnets: string[] }[];
}

const range = ([a, b]: [number, number]) => (a === b ? String(a) : `${a}-${b}`);
function portText(p: Port): string {
  const host = p.published ? range(p.published) : 'auto';
  return `${p.hostIp ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:` : ''}${host}→${range(p.target)}/${p.protocol}`;
}

export function graphModel(t: Topology): GraphModel {
  const { addresses } = allocate(t);
  return {
    project: t.project,
    hosts: [...t.hosts.values()].map((h) => ({ name: h.name, address: h.address })),
    networks: [...t.networks.values()].map((n) => ({
      name: n.name, bridge: n.bridgeName, subnets: [n.subnet, n.ipv6Subnet].filter((s): s is string => !!s), internal: n.internal,
      ...(n.host ? { host: n.host } : {}),
    })),
    containers: [...t.containers.values()].map((c) => ({
      name: c.name, mode: c.networkMode === 'container' ? `container:${c.modeContainer}` : c.networkMode, ...(c.host ? { host: c.host } : {}),
      attach: c.attachments.map((a) => {
        const got = addresses.get(attachmentId(c.name, a.network)) ?? {};
        return { network: a.network, addrs: [got.ipv4, got.ipv6].filter((s): s is string => !!s), aliases: a.aliases };
      }),
      ports: c.ports.map(portText),
      links: c.links.map((l) => (l.alias ? { to: l.container, alias: l.alias } : { to: l.container })),
    })),
    peers: [...t.peers.values()].map((p) => ({ name: p.name, via: p.via, subnets: p.subnets })),
  };
}
