// Pure: what ctnet's own nftables table says back in the user's words, for `ctnet show`:
// published ports (from the DNAT maps), and per-network flags (from the rule comments the
// builder writes: src/nft/build.ts). Peer routes in the host namespace become `peers`.
import type { NftTableObj, RouteObj } from '../model/state.js';

export interface ShownPort { container: string; spec: string }
export interface NetFlags { internal: boolean; masquerade: boolean; icc: boolean; allowFrom: string[] }

type Elem = [unknown, unknown];
const concat = (k: unknown): unknown[] => ((k as { concat?: unknown[] })?.concat ?? []);

/** Published ports as short-syntax strings, attributed to containers by address. */
export function portsOf(table: NftTableObj | undefined, containerOf: (addr: string) => string | undefined): ShownPort[] {
  if (!table) return [];
  const maps = new Map(table.ruleset.maps.map((m) => [m.name, m.elem as Elem[]]));
  const out: ShownPort[] = [];
  for (const f of [4, 6]) {
    for (const [addrMap, portMap, withIp] of [[`pa${f}`, `pp${f}`, false], [`sa${f}`, `sp${f}`, true]] as const) {
      const ports = new Map((maps.get(portMap) ?? []).map(([k, v]) => [JSON.stringify(k), v]));
      for (const [k, addr] of maps.get(addrMap) ?? []) {
        const parts = concat(k);
        const [hostIp, proto, hostPort] = withIp ? parts : [undefined, ...parts];
        const target = ports.get(JSON.stringify(k));
        const container = containerOf(String(addr));
        if (!container || target === undefined) continue;
        const ip = hostIp === undefined ? '' : String(hostIp).includes(':') ? `[${hostIp}]:` : `${hostIp}:`;
        out.push({ container, spec: `${ip}${hostPort}:${target}/${proto}` });
      }
    }
  }
  return out.sort((a, b) => (a.container + a.spec < b.container + b.spec ? -1 : 1));
}

/** Network flags as the builder's rule comments state them. */
export function flagsOf(table: NftTableObj | undefined, network: string): NetFlags {
  const comments = new Set((table?.ruleset.rules ?? []).map((r) => r.comment.replace(/^ctnet:/, '')));
  const has = (re: RegExp) => [...comments].some((c) => re.test(c));
  const esc = network.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const internal = has(new RegExp(`^internal ${esc}: `));
  const allowFrom = [...comments].map((c) => new RegExp(`^allow ${esc} from (?!peer subnet )(.+)$`).exec(c)?.[1]).filter((x): x is string => !!x).sort();
  return {
    internal,
    masquerade: has(new RegExp(`^masquerade \\S+ \\(${esc}\\)$`)),
    icc: !has(new RegExp(`^icc off ${esc}$`)),
    allowFrom,
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
