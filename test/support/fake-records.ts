// Test support: what the fake kernel keeps besides namespaces and files, with the real adapter's
// semantics: ctnet's nftables tables per namespace (one per project, each held as the listing
// `nft -j list table` prints), the records of host routes of projects other than default
// (kernel/route-records.ts) and what the last verified apply of each project asked for (kernel/applied.ts).
import { NFT_TABLE } from '../../src/model/keys.js';
import type { Operation } from '../../src/model/ops.js';
import { HOST, type NsRef, type RouteObj } from '../../src/model/state.js';
import type { RouteRecord } from '../../src/kernel/port.js';
import { toListing } from './nft-listing.js';

export class FakeRecords {
  readonly nft = new Map<NsRef, Map<string, unknown>>();
  readonly routes = new Map<string, string>();
  readonly applied = new Map<string, Record<string, string>>();

  listNftTables(ns: NsRef): string[] { return [...(this.nft.get(ns)?.keys() ?? [])].sort(); }
  listRouteRecords(): RouteRecord[] { return [...this.routes].map(([dst, project]) => ({ dst, project })); }

  /** The real batch is atomic and `add table` first makes deleting a missing table a no-op. */
  applyNft(op: Operation & { op: 'nft.apply' }): void {
    const tables = this.nft.get(op.ns) ?? new Map<string, unknown>();
    const name = op.obj?.name ?? op.before?.name ?? NFT_TABLE;
    if (op.obj) tables.set(name, toListing(op.obj.ruleset, name));
    else tables.delete(name);
    this.nft.set(op.ns, tables);
  }

  /** Recorded before a host route of another project than default is made, forgotten after it is deleted. */
  routeMade(r: RouteObj): void { if (r.ns === HOST && r.owner?.project && r.owner.project !== 'default') this.routes.set(r.dst, r.owner.project); }
  routeGone(r: RouteObj): void { if (r.ns === HOST) this.routes.delete(r.dst); }
}
