// Pure: a ruleset in the words users think in, for plan lines:
// "publish tcp 0.0.0.0:8080 -> web1:80", "masquerade 10.10.0.0/16 (net-a)",
// "isolate net-a", "allow net-a from net-b". Rules say it in their comment;
// published ports are read from the map elements.
import type { Ruleset } from './types.js';

const PREFIX = 'ctnet:';
/** Rules that exist in every table: not worth a plan line of their own. */
const PLUMBING = /^(publish on|loopback-only|replies of|hairpin|published ports of|icc (?!off ))/;

export function describe(r: Ruleset, names: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  const elems = new Map(r.maps.map((m) => [m.name, new Map(m.elem.map(([k, v]) => [JSON.stringify(k), v]))]));
  for (const m of r.maps) {
    if (m.name[1] !== 'a') continue;
    const fam = m.name.slice(2);
    const ports = elems.get(`${m.name[0]}p${fam}`);
    for (const [k, addr] of m.elem) {
      const parts = (k as { concat: unknown[] }).concat ?? [];
      const [ip, proto, port] = m.name[0] === 's' ? parts : [fam === '6' ? '::' : '0.0.0.0', ...parts];
      const host = String(ip).includes(':') ? `[${ip}]` : String(ip);
      const who = names[String(addr)] ?? (String(addr).includes(':') ? `[${addr}]` : String(addr));
      out.add(`publish ${proto} ${host}:${port} -> ${who}:${ports?.get(JSON.stringify(k))}`);
    }
  }
  for (const rule of r.rules) {
    const what = rule.comment.startsWith(PREFIX) ? rule.comment.slice(PREFIX.length) : `rule without ctnet's mark in chain ${rule.chain}`;
    if (!PLUMBING.test(what)) out.add(what.replace(/: nothing (leaves|enters)$/, ''));
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
