// Pure: the listing of ctnet's table -> the owned NftTableObj. The table is ctnet's
// by its name: ctnet creates `inet ctnet` and never looks at any other table.
import { nftKey, NFT_TABLE } from '../model/keys.js';
import { HOST, type NftTableObj } from '../model/state.js';
import { fromListing } from './canon.js';

const converted = new WeakMap<object, NftTableObj | undefined>();

/** The same listing object gives the same (never mutated) table object: `ctnet watch` keeps one
 *  listing across passes until nftables is read again. */
export function nftFromListing(listing: unknown): NftTableObj | undefined {
  if (!listing || typeof listing !== 'object') return undefined;
  if (!converted.has(listing)) converted.set(listing, convert(listing));
  return converted.get(listing);
}

function convert(listing: unknown): NftTableObj | undefined {
  const ruleset = fromListing(listing as { nftables?: Record<string, unknown>[] }, NFT_TABLE);
  return ruleset ? { kind: 'nft', key: nftKey(), ns: HOST, family: 'inet', name: NFT_TABLE, ruleset } : undefined;
}
