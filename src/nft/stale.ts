// Pure: published ports whose target changed or went away between two rulesets, as the conntrack entries to
// delete. Their entries must go: existing flows keep their NAT across a table replace (KERNEL-FACTS C1), so a
// UDP stream would stick to the old container. A container that no published port points at any more is one
// selector (all DNATed flows replying from it) instead of one per port.
import type { Ruleset } from '../model/nft.js';
import { decodePorts } from './codec.js';

export interface StaleMapping { family: 4 | 6; proto: string; port: number; hostIp?: string; addr: string }

function targets(r: Ruleset | undefined): Map<string, { s: StaleMapping; to: string }> {
  const out = new Map<string, { s: StaleMapping; to: string }>();
  for (const e of decodePorts(r)) {
    const s: StaleMapping = { family: e.family, proto: e.proto, port: e.hostPort, addr: e.addr };
    if (e.hostIp !== undefined) s.hostIp = e.hostIp;
    out.set(`${e.family}|${e.hostIp ?? ''}|${e.proto}|${e.hostPort}`, { s, to: `${e.addr}:${e.port}` });
  }
  return out;
}

export function staleMappings(before: Ruleset | undefined, after: Ruleset | undefined): StaleMapping[] {
  const a = targets(before);
  const b = targets(after);
  return [...a].filter(([k, v]) => b.get(k)?.to !== v.to).map(([, v]) => v.s);
}

/** Which conntrack entries to delete (kernel/conntrack.ts): every DNATed flow answered by `dnatReplySrc` (a
 *  container no published port points at any more), or the flows of one published port (`origDst`: of one host
 *  address only). */
export type FlowSelector = { family: 4 | 6; dnatReplySrc: string } | { family: 4 | 6; proto: string; port: number; origDst?: string };

export function staleFlows(before: Ruleset | undefined, after: Ruleset | undefined): FlowSelector[] {
  const stillUsed = new Set([...targets(after).values()].map((v) => v.s.addr));
  const out: FlowSelector[] = [];
  const cleared = new Set<string>();
  for (const s of staleMappings(before, after)) {
    if (!stillUsed.has(s.addr)) {
      if (!cleared.has(s.addr)) out.push({ family: s.family, dnatReplySrc: s.addr });
      cleared.add(s.addr);
      continue;
    }
    out.push({ family: s.family, proto: s.proto, port: s.port, ...(s.hostIp ? { origDst: s.hostIp } : {}) });
  }
  return out;
}
