// Pure: published host ports that a process on the host already has bound. DNAT
// in prerouting wins, so that service would silently stop receiving traffic from
// outside: warn, naming the process where it could be found, and point at the port.
import type { Diagnostic } from '../errors.js';
import type { Listener, NftTableObj } from '../model/state.js';
import { diagAt } from './source.js';
import { decodePorts } from '../nft/codec.js';
import { isAnyAddress } from '../model/ip.js';
import type { Topology } from './types.js';

interface Published { proto: string; hostIp?: string; port: number; container: string }

export function publishedPorts(table: NftTableObj | undefined): Published[] {
  return decodePorts(table?.ruleset).map((e) => ({
    proto: e.proto, port: e.hostPort, container: table!.names?.[e.addr] ?? e.addr, ...(e.hostIp !== undefined ? { hostIp: e.hostIp } : {}),
  }));
}


export function boundPortWarnings(t: Topology, table: NftTableObj | undefined, bound: Listener[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const p of publishedPorts(table)) {
    const l = bound.find((b) => b.proto === p.proto && b.port === p.port && (isAnyAddress(p.hostIp) || isAnyAddress(b.addr) || b.addr === p.hostIp));
    const id = `${p.proto}/${p.port}/${p.hostIp ?? ''}`;
    if (!l || seen.has(id)) continue;
    seen.add(id);
    const c = t.containers.get(p.container);
    const index = c?.ports.find((q) => q.protocol === p.proto && q.published && q.published[0] <= p.port && p.port <= q.published[1])?.index
      ?? c?.ports.find((q) => !q.published)?.index ?? 0;
    const who = l.owner ? `by ${l.owner}` : 'by a process on the host';
    const where = l.family === 6 ? `[${l.addr}]:${l.port}` : `${l.addr}:${l.port}`;
    out.push(diagAt(t.sources, ['containers', p.container, 'ports', index],
      `host port ${p.port}/${p.proto} is already bound ${who} (${where}); the published port takes its traffic from outside`,
      `find it with \`ss -${p.proto === 'tcp' ? 'lt' : 'lu'}np sport = :${p.port}\`; stop it or publish another host port`, 'warning'));
  }
  return out;
}
