// Names in nf_tables, by one netlink dump each (what `nft list tables` and `nft list chains` ask the kernel
// first): ctnet's tables (one per project), and whether a chain such as Docker's DOCKER-USER exists. Through
// libnftables, `list tables` fetches its whole cache instead: every set's elements too, ~8 ms at 1000
// published ports, to print a few names. Where a dump cannot be made (no nfnetlink in this kernel), the
// callers ask as before.
import { projectOfTable } from '../model/keys.js';
import type { NsRef } from '../model/state.js';
import { attrs, cstr, NFNL_SUBSYS, nfgenmsg, nfnlType } from './nlmsg.js';
import { NETLINK_NETFILTER } from './nlsock.js';
import { nftList } from './nft.js';
import type { NsCtx } from './nsctx.js';

const NFT_MSG = { NEWTABLE: 0, GETTABLE: 1, NEWCHAIN: 3, GETCHAIN: 4 } as const;
export const NFPROTO = { INET: 1, IPV4: 2 } as const;
const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN = { TABLE: 1, NAME: 3 } as const;
const type = (msg: number) => nfnlType(NFNL_SUBSYS.NFTABLES, msg);

/** The inet tables of ns whose names are ctnet's (projectOfTable tells which project), sorted. */
export async function listNftTables(ctx: NsCtx, ns: NsRef): Promise<string[]> {
  let names: string[];
  try {
    names = await tableNames(ctx, ns);
  } catch {
    const items = (await nftList(ctx, ns, ['list', 'tables', 'inet'], 'list nftables tables')) as { table?: { family: string; name: string } }[];
    names = items.flatMap((i) => (i.table && i.table.family === 'inet' ? [i.table.name] : []));
  }
  return names.filter((n) => projectOfTable(n) !== undefined).sort();
}

/** Every inet table's name, as the kernel lists them. */
export async function tableNames(ctx: NsCtx, ns: NsRef): Promise<string[]> {
  return (await dumpNames(ctx, ns, NFT_MSG.GETTABLE, NFPROTO.INET)).map((a) => cstr(a.get(NFTA_TABLE_NAME)!));
}

/** The chains of one family: [table, chain] names. Throws when the kernel cannot be asked. */
export async function chainNames(ctx: NsCtx, ns: NsRef, family: number): Promise<[string, string][]> {
  return (await dumpNames(ctx, ns, NFT_MSG.GETCHAIN, family, [NFTA_CHAIN.TABLE, NFTA_CHAIN.NAME]))
    .map((a) => [cstr(a.get(NFTA_CHAIN.TABLE)!), cstr(a.get(NFTA_CHAIN.NAME)!)]);
}

/** The attributes of each object a GET dump of one family answers with, those that carry all of `need`. */
async function dumpNames(ctx: NsCtx, ns: NsRef, get: number, family: number, need: number[] = [NFTA_TABLE_NAME]): Promise<Map<number, Buffer>[]> {
  const msgs = await ctx.withSock(ns, NETLINK_NETFILTER, (sock) => sock.dump(type(get), [nfgenmsg(family)]));
  return msgs.flatMap((m) => {
    // Each object comes as the NEW message of its kind (GET - 1): struct nfgenmsg, then its attributes.
    if (m.type !== type(get - 1) || m.data.length < 4 || m.data[0] !== family) return [];
    const a = attrs(m.data, 4);
    return need.every((t) => a.has(t)) ? [a] : [];
  });
}
