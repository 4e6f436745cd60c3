// Pure: a ruleset in the words users think in, for plan lines:
// "publish tcp 0.0.0.0:8080 -> web1:80", "masquerade 10.10.0.0/16 (net-a)",
// "isolate net-a", "allow net-a from net-b". Rules say it in their comment;
// published ports are read from the map elements.
import { OWNER_PREFIX } from '../model/keys.js';
import type { Ruleset } from '../model/nft.js';
import { decodePorts, intentOf, type Intent } from './codec.js';

/** Rules that exist in every table: not worth a plan line of their own. */
const PLUMBING = new Set<Intent['kind']>(['publish', 'publish-localhost', 'localhost-guard', 'loopback-only', 'replies', 'hairpin', 'published-ports']);

export function describe(r: Ruleset, names: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  const bracket = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);
  for (const e of decodePorts(r)) {
    const host = bracket(e.hostIp ?? (e.family === 6 ? '::' : '0.0.0.0'));
    out.add(`publish ${e.proto} ${host}:${e.hostPort} -> ${names[e.addr] ?? bracket(e.addr)}:${e.port}`);
  }
  for (const rule of r.rules) {
    const i = intentOf(rule.comment);
    if (i && (PLUMBING.has(i.kind) || (i.kind === 'icc' && i.on))) continue;
    if (i?.kind === 'internal') out.add(`internal ${i.network}`);
    else out.add(rule.comment.startsWith(OWNER_PREFIX) ? rule.comment.slice(OWNER_PREFIX.length) : `rule without ctnet's mark in chain ${rule.chain}`);
  }
  return [...out];
}

/** "+ item" / "- item" lines between two rulesets; a bare edit of the rules says so. */
export function describeChange(before: Ruleset | undefined, after: Ruleset | undefined, names: Record<string, string> = {}): string[] {
  const a = before ? describe(before, names) : [];
  const b = after ? describe(after, names) : [];
  const had = new Set(a);
  const has = new Set(b);
  const lines = [...b.filter((x) => !had.has(x)).map((x) => `+ ${x}`), ...a.filter((x) => !has.has(x)).map((x) => `- ${x}`)];
  if (!lines.length && before && after) lines.push('~ rules or elements changed outside ctnet: rewritten');
  return lines;
}
