// Pure: `nft -j list table inet ctnet` output -> Ruleset, and a Ruleset -> one
// atomic `nft -j -f` batch. The listing is canonicalised by dropping metainfo,
// handles and counter values and sorting map elements (KERNEL-FACTS C2), so a
// table ctnet wrote compares equal to what ctnet wants, and anything changed by
// hand (a flushed chain, an extra rule, a removed element) shows up as a difference.
import { NFT_TABLE } from '../model/keys.js';
import type { ChainSpec, MapSpec, RuleSpec, Ruleset } from '../model/nft.js';

type Obj = Record<string, any>;
/** Elements sorted by their JSON text, each stringified once (10 000 ports are 20 000 elements). */
export function sortElems<T>(elems: T[]): T[] {
  return elems.map((e) => [JSON.stringify(e), e] as const).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)).map(([, e]) => e);
}

/** Anonymous counters list their values; those change with traffic and are never compared. */
function stripCounters(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripCounters);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Obj;
  if ('counter' in o && o.counter && typeof o.counter === 'object' && 'packets' in o.counter) return { counter: null };
  return Object.fromEntries(Object.entries(o).map(([k, w]) => [k, stripCounters(w)]));
}

export function fromListing(listing: { nftables?: Obj[] }, table = NFT_TABLE): Ruleset | null {
  const items = listing.nftables ?? [];
  if (!items.some((i) => i.table && i.table.name === table)) return null;
  const chains: ChainSpec[] = [];
  const maps: MapSpec[] = [];
  const rules: RuleSpec[] = [];
  for (const i of items) {
    if (i.chain) {
      const c = i.chain;
      chains.push({ name: c.name, type: c.type, hook: c.hook, prio: c.prio, policy: c.policy } as ChainSpec);
    } else if (i.map || i.set) {
      const m = i.map ?? i.set;
      maps.push({ name: m.name, type: m.type, map: m.map, elem: sortElems(m.elem ?? []) } as MapSpec);
    } else if (i.rule) {
      rules.push({ chain: i.rule.chain, comment: i.rule.comment ?? '', expr: stripCounters(i.rule.expr) as unknown[] });
    }
  }
  chains.sort((a, b) => (a.name < b.name ? -1 : 1));
  maps.sort((a, b) => (a.name < b.name ? -1 : 1));
  // Rules keep their order inside a chain; chains are concatenated in name order.
  const order = new Map(chains.map((c, i) => [c.name, i]));
  const indexed = rules.map((r, i) => ({ r, i }));
  indexed.sort((a, b) => (order.get(a.r.chain) ?? 1e9) - (order.get(b.r.chain) ?? 1e9) || a.i - b.i);
  return { chains, maps, rules: indexed.map((e) => e.r) };
}

/** Rules sorted by chain name, stably: the same order fromListing() gives. */
export function normalise(r: Ruleset): Ruleset {
  const chains = [...r.chains].sort((a, b) => (a.name < b.name ? -1 : 1));
  const order = new Map(chains.map((c, i) => [c.name, i]));
  const rules = r.rules.map((x, i) => ({ x, i }))
    .sort((a, b) => (order.get(a.x.chain) ?? 1e9) - (order.get(b.x.chain) ?? 1e9) || a.i - b.i).map((e) => e.x);
  return { chains, maps: [...r.maps].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => ({ ...m, elem: sortElems(m.elem) })), rules };
}

const sameMemo = new WeakMap<Ruleset, WeakMap<Ruleset, boolean>>();
/** Rulesets are plain data that is never mutated: `ctnet watch` compares the same two objects on
 *  every pass until one side is read or compiled again, so the answer is remembered per pair. */
export function sameRuleset(a: Ruleset, b: Ruleset): boolean {
  let m = sameMemo.get(a);
  if (!m) sameMemo.set(a, (m = new WeakMap()));
  let same = m.get(b);
  if (same === undefined) m.set(b, (same = textOf(a) === textOf(b)));
  return same;
}
/** The observed ruleset stays the same object across passes while the desired one is compiled anew: its text is kept. */
const texts = new WeakMap<Ruleset, string>();
const textOf = (r: Ruleset): string => { let t = texts.get(r); if (t === undefined) texts.set(r, (t = JSON.stringify(r))); return t; };

/** One transaction that turns whatever table exists into `want` (KERNEL-FACTS C1, flush in place:
 *  no window without rules, counters and the table survive). `have` names chains and maps to drop. */
export function batch(want: Ruleset | null, have: Ruleset | null, table = NFT_TABLE): { nftables: Obj[] } {
  const t = { family: 'inet', table };
  const out: Obj[] = [{ add: { table: { family: 'inet', name: table } } }];
  if (!want) {
    out.push({ delete: { table: { family: 'inet', name: table } } });
    return { nftables: out };
  }
  const delta = have ? elementDelta(want, have, table) : null;
  if (delta) return { nftables: [...out, ...delta] };
  out.push({ flush: { table: { family: 'inet', name: table } } });
  for (const m of want.maps) {
    out.push({ add: { map: { ...t, name: m.name, type: m.type, map: m.map } } }, { flush: { map: { ...t, name: m.name } } });
  }
  // Rules are gone after the flush, so chains and maps ctnet no longer wants can be deleted.
  for (const c of have?.chains ?? []) if (!want.chains.some((w) => w.name === c.name)) out.push({ delete: { chain: { ...t, name: c.name } } });
  for (const m of have?.maps ?? []) if (!want.maps.some((w) => w.name === m.name)) out.push({ delete: { map: { ...t, name: m.name } } });
  for (const c of want.chains) out.push({ add: { chain: { ...t, ...c } } });
  for (const m of want.maps) if (m.elem.length) out.push({ add: { element: { ...t, name: m.name, elem: m.elem } } });
  for (const r of want.rules) out.push({ add: { rule: { ...t, chain: r.chain, comment: r.comment, expr: r.expr } } });
  return { nftables: out };
}

/** When only map elements differ (the usual "publish one more port"), the transaction touches just
 *  those elements: its cost no longer grows with the number of published ports. null otherwise. */
function elementDelta(want: Ruleset, have: Ruleset, table: string): Obj[] | null {
  const shape = (r: Ruleset) => JSON.stringify([r.chains, r.rules, r.maps.map((m) => [m.name, m.type, m.map])]);
  if (shape(want) !== shape(have)) return null;
  const t = { family: 'inet', table };
  const dels: Obj[] = [];
  const adds: Obj[] = [];
  want.maps.forEach((m, i) => {
    const old = new Map(have.maps[i].elem.map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]));
    const now = new Map(m.elem.map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]));
    const gone = have.maps[i].elem.filter(([k]) => now.get(JSON.stringify(k)) !== old.get(JSON.stringify(k)));
    const added = m.elem.filter(([k]) => now.get(JSON.stringify(k)) !== old.get(JSON.stringify(k)));
    if (gone.length) dels.push({ delete: { element: { ...t, name: m.name, elem: gone.map(([k]) => k) } } });
    if (added.length) adds.push({ add: { element: { ...t, name: m.name, elem: added } } });
  });
  return [...dels, ...adds];
}
