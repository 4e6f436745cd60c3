// Pure: the listing of ctnet's table -> the owned NftTableObj. The table is ctnet's
// by its name: ctnet creates `inet ctnet` and never looks at any other table.
import { nftKey, NFT_TABLE } from '../model/keys.js';
import { HOST, type NftTableObj } from '../model/state.js';
import { fromListing } from './canon.js';

export function nftFromListing(listing: unknown): NftTableObj | undefined {
  if (!listing) return undefined;
  const ruleset = fromListing(listing as { nftables?: Record<string, unknown>[] }, NFT_TABLE);
  return ruleset ? { kind: 'nft', key: nftKey(), ns: HOST, family: 'inet', name: NFT_TABLE, ruleset } : undefined;
}
