// Pure: what ctnet's own nftables table says back in the user's words, for `ctnet show`:
// published ports and per-network flags, decoded by the codec that wrote them (src/nft/codec.ts). Peer routes in the host namespace become `peers`.
import type { NftTableObj, RouteObj } from '../model/state.js';
import { decodePorts, intentsOf } from '../nft/codec.js';

export interface ShownPort { container: string; spec: string }
export interface NetFlags { internal: boolean; masquerade: boolean; icc: boolean; allowFrom: string[] }

/** Published ports as short-syntax strings, attributed to containers by address. A port of a dual-stack
 *  container is one map entry per family and one line of the topology: shown once (twice would be an
 *  invalid topology, "host port already published"). */
export function portsOf(table: NftTableObj | undefined, containerOf: (addr: string) => string | undefined): ShownPort[] {
  const seen = new Set<string>();
  const out: ShownPort[] = [];
  for (const e of decodePorts(table?.ruleset)) {
    const container = containerOf(e.addr);
    if (!container) continue;
    const ip = e.hostIp === undefined ? '' : e.hostIp.includes(':') ? `[${e.hostIp}]:` : `${e.hostIp}:`;
    const spec = `${ip}${e.hostPort}:${e.port}/${e.proto}`;
    if (seen.has(`${container}\u0000${spec}`)) continue;
    seen.add(`${container}\u0000${spec}`);
    out.push({ container, spec });
  }
  return out.sort((a, b) => (a.container + a.spec < b.container + b.spec ? -1 : 1));
}

/** Network flags as the rules' intents state them. */
export function flagsOf(table: NftTableObj | undefined, network: string): NetFlags {
  const mine = intentsOf(table?.ruleset).filter((i) => 'network' in i && i.network === network);
  return {
    internal: mine.some((i) => i.kind === 'internal'),
    masquerade: mine.some((i) => i.kind === 'masquerade'),
    icc: !mine.some((i) => i.kind === 'icc' && !i.on),
    allowFrom: mine.flatMap((i) => (i.kind === 'allow' ? [i.from] : [])).sort(),
  };
}

/** Owned routes of the host namespace as `peers` entries, one per next hop (and device). */
export function peersOf(routes: RouteObj[]): Record<string, { via: string; subnets: string[]; dev?: string }> {
  const out: Record<string, { via: string; subnets: string[]; dev?: string }> = {};
  for (const r of routes) {
    if (!r.via) continue;
    const name = `peer-${r.via.replace(/[:.]/g, '-')}${r.dev ? `-${r.dev}` : ''}`;
    const p = (out[name] ??= { via: r.via, subnets: [], ...(r.dev ? { dev: r.dev } : {}) });
    p.subnets.push(r.dst);
  }
  return out;
}
