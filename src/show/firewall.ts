// Pure: what ctnet's own nftables table says back in the user's words, for `ctnet show`:
// published ports and per-network flags, decoded by the codec that wrote them (src/nft/codec.ts). Peer routes in the host namespace become `peers`.
import type { NftTableObj, RouteObj } from '../model/state.js';
import { decodePorts, intentsOf } from '../nft/codec.js';

export interface ShownPort { container: string; spec: string }
export interface NetFlags { internal: boolean; masquerade: boolean; icc: boolean; allowFrom: string[] }

/** Published ports as short-syntax strings, attributed to containers by address. A port of a dual-stack
 *  container is one map entry per family and one line of the topology: shown once (twice would be an
 *  invalid topology, "host port already published"). A port on every address of one family only, where the
 *  container has both (`familiesOf`), is written 0.0.0.0 or [::], as the user had to write it. */
export function portsOf(table: NftTableObj | undefined, containerOf: (addr: string) => string | undefined,
  familiesOf: (container: string) => Set<4 | 6> = () => new Set()): ShownPort[] {
  const byLine = new Map<string, { container: string; body: string; hostIp?: string; families: Set<4 | 6> }>();
  for (const e of decodePorts(table?.ruleset)) {
    const container = containerOf(e.addr);
    if (!container) continue;
    const body = `${e.hostPort}:${e.port}/${e.proto}`;
    const id = `${container}\u0000${e.hostIp ?? ''}\u0000${body}`;
    const line = byLine.get(id) ?? byLine.set(id, { container, body, hostIp: e.hostIp, families: new Set() }).get(id)!;
    line.families.add(e.family);
  }
  const out: ShownPort[] = [];
  for (const l of byLine.values()) {
    let ip = l.hostIp;
    if (ip === undefined && l.families.size === 1 && familiesOf(l.container).size === 2) ip = l.families.has(4) ? '0.0.0.0' : '::';
    out.push({ container: l.container, spec: `${ip === undefined ? '' : ip.includes(':') ? `[${ip}]:` : `${ip}:`}${l.body}` });
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
