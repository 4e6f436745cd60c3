// Pure: published ports whose target changed or went away between two rulesets,
// as `conntrack -D` argument lists. Their entries must go: existing flows keep
// their NAT across a table replace (KERNEL-FACTS C1), so a UDP stream would stick
// to the old container. A container that no published port points at any more is
// cleared with one call (all DNATed flows replying from it) instead of one per
// port: destroying 10 000 mappings must not spawn conntrack 10 000 times.
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

export function conntrackDeletes(before: Ruleset | undefined, after: Ruleset | undefined): string[][] {
  const stillUsed = new Set([...targets(after).values()].map((v) => v.s.addr));
  const out: string[][] = [];
  const cleared = new Set<string>();
  for (const s of staleMappings(before, after)) {
    const fam = s.family === 4 ? 'ipv4' : 'ipv6';
    if (!stillUsed.has(s.addr)) {
      if (!cleared.has(s.addr)) out.push(['-D', '-f', fam, '--dst-nat', '--reply-src', s.addr]);
      cleared.add(s.addr);
      continue;
    }
    const args = ['-D', '-f', fam, '-p', s.proto, '--orig-port-dst', String(s.port)];
    if (s.hostIp) args.push('--orig-dst', s.hostIp);
    out.push(args);
  }
  return out;
}
