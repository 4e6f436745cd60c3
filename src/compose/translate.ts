// Pure: a Docker Compose file (parsed, merge keys applied) -> a ctnet topology whose containers are the
// services' Docker containers (`docker: <project>-<service>-1`, Compose v2's names, or container_name).
// What ctnet can say (networks with ipam, internal, enable_ipv6 and the bridge name; ports; aliases and
// static addresses; links; network_mode) is translated; anything about networking that it cannot say is
// reported per item (a note with the item's path), never dropped silently. What is not about networking
// (image, command, volumes, ...) stays Compose's business and is not mentioned.
export interface Note { path: (string | number)[]; message: string; hint?: string }

export interface Imported {
  topology: Record<string, unknown>;
  notes: Note[];
  /** Compose's container names by service, for the operator's `docker run`/override. */
  containerNames: Record<string, string>;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Docker's default address pools hand out 172.17.0.0/16 (docker0), then 172.18/16, 172.19/16, ... */
const poolSubnet = (i: number) => `172.${18 + i}.0.0/16`;

const NETWORK_KEYS = new Set(['driver', 'driver_opts', 'ipam', 'internal', 'enable_ipv6', 'name', 'labels', 'external', 'attachable']);
const SERVICE_NET_KEYS = ['dns', 'dns_search', 'dns_opt', 'extra_hosts', 'hostname', 'domainname', 'mac_address', 'external_links', 'expose'];

export function translateCompose(doc: unknown, project: string): Imported {
  const notes: Note[] = [];
  const note = (path: (string | number)[], message: string, hint?: string) => notes.push(hint ? { path, message, hint } : { path, message });
  const root = isObj(doc) ? doc : {};
  const services: Obj = isObj(root.services) ? root.services : {};
  const declared: Obj = isObj(root.networks) ? root.networks : {};

  // Which networks are used: Compose attaches a service without `networks` (and in bridge mode) to `default`.
  const modeOf = (s: Obj): string | undefined => (typeof s.network_mode === 'string' ? s.network_mode : undefined);
  const usesDefault = Object.values(services).some((s) => isObj(s) && !modeOf(s) && s.networks === undefined);
  const names = [...Object.keys(declared), ...(usesDefault && !('default' in declared) ? ['default'] : [])];

  const networks: Obj = {};
  let pool = 0;
  for (const name of names) {
    const n: Obj = isObj(declared[name]) ? declared[name] : {};
    const at = ['networks', name];
    const out: Obj = {};
    for (const k of Object.keys(n)) if (!NETWORK_KEYS.has(k) && !k.startsWith('x-')) note([...at, k], `"${k}" is not translated`);
    if (n.external) { note([...at, 'external'], `network "${name}" is external (made outside this Compose file): it is declared here as one of ctnet's`, 'give it the subnet of the existing network, or remove it if Docker keeps it'); }
    if (n.driver !== undefined && n.driver !== 'bridge') {
      note([...at, 'driver'], `network "${name}" (driver "${n.driver}") is not translated: ctnet makes bridge networks`,
        n.driver === 'overlay' ? 'ctnet\'s routing (host-gw or vxlan) connects hosts instead of an overlay driver' : undefined);
      continue;
    }
    const opts: Obj = isObj(n.driver_opts) ? n.driver_opts : {};
    for (const [k, v] of Object.entries(opts)) {
      if (k === 'com.docker.network.bridge.name') out.bridge_name = String(v);
      else if (k === 'com.docker.network.driver.mtu') out.mtu = Number(v);
      else if (k === 'com.docker.network.bridge.enable_icc') out.icc = String(v) !== 'false';
      else if (k === 'com.docker.network.bridge.enable_ip_masquerade') out.masquerade = String(v) !== 'false';
      else note([...at, 'driver_opts', k], `driver option "${k}" is not translated`);
    }
    const configs: Obj[] = isObj(n.ipam) && Array.isArray(n.ipam.config) ? n.ipam.config.filter(isObj) : [];
    if (isObj(n.ipam) && n.ipam.driver !== undefined && n.ipam.driver !== 'default') note([...at, 'ipam', 'driver'], `IPAM driver "${n.ipam.driver}" is not translated: ctnet allocates addresses itself`);
    configs.forEach((c, i) => {
      const v6 = typeof c.subnet === 'string' && c.subnet.includes(':');
      const cat = [...at, 'ipam', 'config', i];
      if (typeof c.subnet !== 'string') { note(cat, 'an ipam config without subnet is not translated'); return; }
      if ((v6 ? out.ipv6_subnet : out.subnet) !== undefined) { note([...cat, 'subnet'], `a second ${v6 ? 'IPv6' : 'IPv4'} subnet is not translated: a ctnet network has one of each`); return; }
      if (v6) { out.ipv6_subnet = c.subnet; if (c.gateway) out.ipv6_gateway = c.gateway; }
      else { out.subnet = c.subnet; if (c.gateway) out.gateway = c.gateway; if (c.ip_range) out.ip_range = c.ip_range; }
      if (v6 && c.ip_range) note([...cat, 'ip_range'], 'an IPv6 ip_range is not translated');
      if (c.aux_addresses) note([...cat, 'aux_addresses'], 'aux_addresses are not translated: ctnet does not reserve addresses');
    });
    if (out.ipv6_subnet && n.enable_ipv6 === false) { note([...at, 'enable_ipv6'], 'enable_ipv6: false with an IPv6 subnet: the IPv6 subnet is left out'); delete out.ipv6_subnet; delete out.ipv6_gateway; }
    if (n.enable_ipv6 === true && !out.ipv6_subnet) note([...at, 'enable_ipv6'], 'enable_ipv6 without an IPv6 subnet in ipam.config: ctnet needs the subnet', 'add ipv6_subnet to the network (e.g. fd00:1::/64)');
    if (!out.subnet) {
      out.subnet = poolSubnet(pool++);
      note(at, `network "${name}" has no IPv4 subnet (Docker picks one from its pool): ${out.subnet} was chosen, as Docker's default pool would`, 'check that it is free on the host, or set it');
    }
    if (n.internal === true) out.internal = true;
    // Compose's services find each other by name through Docker's DNS: ctnet's DNS server does that (watch).
    out.dns = true;
    networks[name] = orderNetwork(out);
  }

  const containerNames: Record<string, string> = {};
  const containers: Obj = {};
  for (const [name, s] of Object.entries(services)) {
    if (!isObj(s)) continue;
    const at = ['services', name];
    const c: Obj = {};
    containerNames[name] = typeof s.container_name === 'string' ? s.container_name : `${project}-${name}-1`;
    const mode = modeOf(s);
    if (mode === undefined || mode === 'bridge') c.docker = containerNames[name];
    else if (mode === 'none' || mode === 'host') { c.docker = containerNames[name]; c.network_mode = mode; }
    else if (mode.startsWith('service:')) c.network_mode = `container:${mode.slice('service:'.length)}`;
    else if (mode.startsWith('container:')) {
      const target = mode.slice('container:'.length);
      const svc = Object.keys(services).find((k) => (isObj(services[k]) && services[k].container_name === target) || `${project}-${k}-1` === target);
      if (svc) c.network_mode = `container:${svc}`;
      else { c.docker = containerNames[name]; note([...at, 'network_mode'], `network_mode "${mode}" names a container outside this file: not translated`, 'add that container to the topology (docker: <name>) and use network_mode: container:<it>'); }
    } else note([...at, 'network_mode'], `network_mode "${mode}" is not translated`);
    if (c.network_mode === 'host' || (typeof c.network_mode === 'string' && c.network_mode.startsWith('container:'))) delete c.docker;
    if (c.network_mode === 'host') note([...at, 'network_mode'], 'a host-mode service needs nothing of ctnet: it is listed for completeness');

    if (!c.network_mode) {
      const nets = s.networks === undefined ? ['default'] : Array.isArray(s.networks) ? s.networks : isObj(s.networks) ? Object.keys(s.networks) : [];
      const attach: Obj = {};
      for (const net of nets) {
        const a: Obj = isObj(s.networks) && isObj(s.networks[net]) ? s.networks[net] : {};
        const out: Obj = {};
        if (a.ipv4_address) out.ipv4_address = a.ipv4_address;
        if (a.ipv6_address) out.ipv6_address = a.ipv6_address;
        if (Array.isArray(a.aliases) && a.aliases.length) out.aliases = a.aliases.map(String);
        if (a.mac_address) out.mac_address = a.mac_address;
        for (const k of Object.keys(a)) if (!['ipv4_address', 'ipv6_address', 'aliases', 'mac_address'].includes(k)) note([...at, 'networks', net, k], `"${k}" is not translated`);
        if (!(net in networks)) {
          note([...at, 'networks', net], net in declared ? `network "${net}" is not translated, so the service is not attached to it` : `network "${net}" is not declared under networks`);
          continue;
        }
        attach[net] = out;
      }
      const plain = Object.values(attach).every((v) => Object.keys(v).length === 0);
      c.networks = plain ? Object.keys(attach) : attach;
      if (Array.isArray(s.links) && s.links.length) c.links = s.links.map(String);
      if (Array.isArray(s.ports) && s.ports.length) {
        const ports = s.ports.flatMap((p: unknown, i: number) => portOf(p, [...at, 'ports', i], note));
        if (ports.length) c.ports = ports;
      }
    } else {
      for (const k of ['networks', 'ports', 'links']) if (s[k] !== undefined) note([...at, k], `"${k}" with network_mode ${mode} is not translated: the container has no networks of its own`);
    }
    if (typeof s.mac_address === 'string' && Array.isArray(c.networks) && c.networks.length === 1) {
      c.networks = { [c.networks[0]]: { mac_address: s.mac_address } };
    } else if (s.mac_address !== undefined) note([...at, 'mac_address'], 'mac_address is not translated: set it on one network');
    for (const k of SERVICE_NET_KEYS) {
      if (k === 'mac_address' || s[k] === undefined) continue;
      if (k === 'expose') continue; // documentation only in Docker too: nothing is published
      note([...at, k], `"${k}" is not translated`, k === 'dns' ? 'networks with dns: true answer on their gateway; other resolvers stay in the container\'s resolv.conf' : undefined);
    }
    if (isObj(s.deploy) && typeof s.deploy.replicas === 'number' && s.deploy.replicas > 1) note([...at, 'deploy', 'replicas'], `${s.deploy.replicas} replicas: only the first (${containerNames[name]}) is translated`);
    containers[name] = c;
  }
  return { topology: { version: 1, name: project, networks, containers }, notes, containerNames };
}

/** A Compose port, short or long syntax, as ctnet writes it (the same syntaxes). */
function portOf(p: unknown, at: (string | number)[], note: (path: (string | number)[], m: string, h?: string) => void): unknown[] {
  if (typeof p === 'number') return [p];
  if (typeof p === 'string') {
    if (/^(\[[0-9a-fA-F:.]+\]:|[0-9.]+:)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) return [p];
    note(at, `port "${p}" is not translated`);
    return [];
  }
  if (!isObj(p)) return [];
  const out: Obj = { target: p.target };
  if (p.host_ip) out.host_ip = p.host_ip;
  if (p.published !== undefined && p.published !== '') out.published = typeof p.published === 'string' && /^\d+$/.test(p.published) ? Number(p.published) : p.published;
  if (p.protocol) out.protocol = p.protocol;
  for (const k of Object.keys(p)) if (!['target', 'host_ip', 'published', 'protocol', 'mode', 'name', 'app_protocol'].includes(k)) note([...at, k], `"${k}" is not translated`);
  if (p.mode === 'ingress') note([...at, 'mode'], 'mode ingress (swarm\'s routing mesh) is not translated: the port is published on this host');
  return [out];
}

function orderNetwork(n: Obj): Obj {
  const order = ['bridge_name', 'subnet', 'gateway', 'ip_range', 'ipv6_subnet', 'ipv6_gateway', 'mtu', 'internal', 'masquerade', 'icc', 'dns'];
  return Object.fromEntries(order.filter((k) => n[k] !== undefined).map((k) => [k, n[k]]));
}
