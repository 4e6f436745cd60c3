// Pure: the listing of one of ctnet's tables -> the owned NftTableObj. A table is ctnet's
// by its name: ctnet creates `inet ctnet` (project default) and `inet ctnet-<project>`,
// and never looks at any other table.
import { nftKey, projectOfTable, DEFAULT_PROJECT } from '../model/keys.js';
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
  const items = (listing as { nftables?: Record<string, any>[] }).nftables ?? [];
  const name = items.find((i) => i.table && projectOfTable(i.table.name) !== undefined)?.table.name as string | undefined;
  if (name === undefined) return undefined;
  const ruleset = fromListing(listing as { nftables?: Record<string, unknown>[] }, name);
  if (!ruleset) return undefined;
  const project = projectOfTable(name)!;
  return { kind: 'nft', key: nftKey(), ns: HOST, family: 'inet', name, ruleset, ...(project !== DEFAULT_PROJECT ? { owner: { project } } : {}) };
}
