// Pure: a Ruleset as `nft -j list table inet ctnet` would print it (with handles
// and metainfo), for the fake kernel and for fixture tests of fromListing().
import { NFT_TABLE } from '../../src/model/keys.js';
import type { Ruleset } from '../../src/model/nft.js';

export function toListing(r: Ruleset, table = NFT_TABLE): { nftables: Record<string, unknown>[] } {
  let handle = 1;
  const t = { family: 'inet', table };
  const out: Record<string, unknown>[] = [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'inet', name: table, handle: handle++ } },
  ];
  for (const m of r.maps) out.push({ map: { ...t, name: m.name, type: m.type, handle: handle++, map: m.map, ...(m.elem.length ? { elem: m.elem } : {}) } });
  for (const c of r.chains) {
    out.push({ chain: { ...t, name: c.name, handle: handle++, type: c.type, hook: c.hook, prio: c.prio, policy: c.policy } });
    for (const rule of r.rules.filter((x) => x.chain === c.name)) {
      out.push({ rule: { ...t, chain: c.name, handle: handle++, comment: rule.comment, expr: rule.expr } });
    }
  }
  return { nftables: out };
}
