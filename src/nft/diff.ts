// Pure: plan drafts for ctnet's nftables table. The table is one object applied in
// one transaction, so there is at most one step; its detail lists the user-level
// changes (describe.ts), one per line.
import { nftKey } from '../model/keys.js';
import type { DesiredState, NftTableObj, ObservedState } from '../model/state.js';
import type { Draft } from '../model/ops.js';
import { sameRuleset } from './canon.js';
import { describeChange } from './describe.js';

export function diffNft(desired: DesiredState, observed: ObservedState): Draft[] {
  const key = nftKey();
  const d = desired.objects.get(key) as NftTableObj | undefined;
  const o = observed.objects.get(key) as NftTableObj | undefined;
  if (!d && !o) return [];
  if (d && o && sameRuleset(d.ruleset, o.ruleset)) return [];
  const detail = describeChange(o?.ruleset, d?.ruleset, { ...(o?.names ?? {}), ...(d?.names ?? {}) }).join('\n');
  const draft = (action: Draft['action'], reason: Draft['reason'], op: Draft['op']): Draft[] =>
    [detail ? { key, action, reason, op, detail } : { key, action, reason, op }];
  if (d && !o) return draft('create', 'missing', { op: 'nft.apply', ns: d.ns, obj: d });
  if (!d && o) return draft('delete', 'not-in-topology', { op: 'nft.apply', ns: o.ns, before: o });
  return draft('update', 'drifted', { op: 'nft.apply', ns: d!.ns, obj: d, before: o });
}
