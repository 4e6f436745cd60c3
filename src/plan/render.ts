// Pure: a Plan as text (terraform-like, one line per changed object with its
// reason) and as versioned JSON. The text doubles as documentation (STYLE 4.7),
// so if a line reads badly the planner is what needs fixing.
import type { Action, Plan, Reason, Step } from '../model/ops.js';

interface Row { glyph: string; key: string; reason: Reason; detail?: string }

const GLYPH: Record<Action, string> = { create: '+', update: '~', delete: '-', replace: '-/+' };

/** One row per object: a replace is two steps (delete, create) and a group delete holds many objects. */
export function rows(plan: Plan): Row[] {
  const later = new Map<string, Step>(); // the create half of each replace, for its reason and detail
  for (const s of plan.steps) if (s.action === 'replace' && !isDelete(s)) later.set(s.key, s);
  const out = new Map<string, Row>();
  const add = (key: string, action: Action, reason: Reason, detail?: string) => {
    const seen = out.get(key);
    if (seen) { seen.glyph = GLYPH.replace; return; }
    out.set(key, detail ? { glyph: GLYPH[action], key, reason, detail } : { glyph: GLYPH[action], key, reason });
  };
  for (const s of plan.steps) {
    if (s.op.op === 'link.delete') {
      for (const obj of s.op.objs) {
        const r = later.get(obj.key);
        if (r) add(obj.key, 'replace', r.reason, r.detail);
        else add(obj.key, 'delete', 'not-in-topology', s.op.objs.length === 1 ? s.detail : undefined);
      }
    } else {
      add(s.key, s.action, s.reason, s.detail);
    }
  }
  return [...out.values()];
}

const isDelete = (s: Step) => s.op.op.endsWith('.delete');

export function counts(plan: Plan): { create: number; update: number; delete: number } {
  const c = { create: 0, update: 0, delete: 0 };
  for (const r of rows(plan)) {
    if (r.glyph === '+' || r.glyph === '-/+') c.create++;
    if (r.glyph === '-' || r.glyph === '-/+') c.delete++;
    if (r.glyph === '~') c.update++;
  }
  return c;
}

/** Beyond this many rows, the summary also counts them by kind (1000 veths are read as a number). */
const BY_KIND_FROM = 20;

/** `conflicts: false`: leave them out (apply reports them once, as its error). */
export function renderText(plan: Plan, opts: { conflicts?: boolean } = {}): string {
  const lines: string[] = [];
  const list = rows(plan);
  const width = Math.max(0, ...list.map((r) => r.key.length));
  for (const r of list) {
    // A multi-line detail (the firewall's user-level changes) goes below its row, one item per line.
    const multi = r.detail?.includes('\n') || r.detail?.startsWith('+ ') || r.detail?.startsWith('- ') || r.detail?.startsWith('~ ');
    lines.push(`${r.glyph.padStart(3)} ${r.key.padEnd(width)}  ${r.reason}${r.detail && !multi ? ` (${r.detail})` : ''}`);
    if (multi) for (const d of r.detail!.split('\n')) lines.push(`      ${d}`);
  }
  if (list.length) {
    const c = counts(plan);
    lines.push('', `Plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete.`);
    if (list.length > BY_KIND_FROM) lines.push(`By kind: ${byKind(list)}.`);
  } else {
    lines.push(`No changes. The kernel matches the topology${plan.waiting?.length ? waitingClause(plan) : ''}.`);
  }
  for (const w of plan.waiting ?? []) lines.push(`waiting: container "${w.container}": ${w.why}; it is attached when it runs again`);
  for (const c of opts.conflicts === false ? [] : plan.conflicts) {
    lines.push(`error: conflict: ${c.key}: ${c.message}`);
    if (c.hint) lines.push(`  hint: ${c.hint}`);
  }
  return lines.join('\n');
}

/** " but for 2 waiting containers": what "matches" leaves out. */
export function waitingClause(plan: Plan): string {
  const n = plan.waiting?.length ?? 0;
  return n ? `, but for ${n} waiting container${n === 1 ? '' : 's'}` : '';
}

/** "veth 1000 (+1000), addr 2000 (+2000), nft 1 (~1)": rows per kind of object, by glyph. */
function byKind(list: Row[]): string {
  const kinds = new Map<string, Map<string, number>>();
  for (const r of list) {
    const kind = r.key.slice(0, r.key.indexOf('/') < 0 ? undefined : r.key.indexOf('/'));
    const g = kinds.get(kind) ?? kinds.set(kind, new Map()).get(kind)!;
    g.set(r.glyph, (g.get(r.glyph) ?? 0) + 1);
  }
  return [...kinds].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, g]) => `${k} ${[...g.values()].reduce((x, y) => x + y, 0)} (${[...g].map(([gl, n]) => `${gl}${n}`).join(' ')})`).join(', ');
}

export interface PlanJson {
  formatVersion: 1;
  changes: { create: number; update: number; delete: number };
  steps: { phase: number; action: Action; key: string; reason: Reason; detail: string | null; op: unknown }[];
  conflicts: { key: string; message: string; hint: string | null }[];
  waiting: { container: string; ns: string; why: string }[];
}

export function renderJson(plan: Plan): PlanJson {
  return {
    formatVersion: 1,
    changes: counts(plan),
    steps: plan.steps.map((s) => ({
      phase: s.phase, action: s.action, key: s.key, reason: s.reason, detail: s.detail ?? null, op: canonical(s.op),
    })),
    conflicts: plan.conflicts.map((c) => ({ key: c.key, message: c.message, hint: c.hint ?? null })),
    waiting: (plan.waiting ?? []).map((w) => ({ container: w.container, ns: w.ns, why: w.why })),
  };
}

/** Objects come from the spec compiler or the observer, each with its own field order:
 *  sort fields (keeping `op` first) so the JSON is byte-stable. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort((a, b) => (a === 'op' ? -1 : b === 'op' ? 1 : a < b ? -1 : 1));
  return Object.fromEntries(keys.map((k) => [k, canonical(obj[k])]));
}
