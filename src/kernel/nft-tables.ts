// The names of ctnet's nftables tables in a namespace (one per project), by one nf_tables netlink dump of the
// tables (what `nft list tables` asks first). Through libnftables, `list tables` fetches its whole cache
// instead: every set's elements too, ~8 ms at 1000 published ports, to print a few names. Where the dump
// cannot be made (no nfnetlink in this kernel), `nft -j list tables inet` answers as before.
import { projectOfTable } from '../model/keys.js';
import type { NsRef } from '../model/state.js';
import { attrs, cstr } from './nlmsg.js';
import { NETLINK_NETFILTER, NlSock, openNetlink } from './nlsock.js';
import { nftList } from './nft.js';
import type { NsCtx } from './nsctx.js';

const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWTABLE = 0, NFT_MSG_GETTABLE = 1;
const NFPROTO_INET = 1;
const NFTA_TABLE_NAME = 1;
/** struct nfgenmsg: the family asked for, NFNETLINK_V0, resource id 0. */
const NFGENMSG = Buffer.from([NFPROTO_INET, 0, 0, 0]);

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
  const sock = new NlSock(() => ctx.enter(ns, () => openNetlink(NETLINK_NETFILTER)));
  try {
    const msgs = await sock.dump((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, [NFGENMSG]);
    return msgs.flatMap((m) => {
      // Each table comes as a NEWTABLE message: struct nfgenmsg, then its attributes.
      if (m.type !== ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE) || m.data.length < 4 || m.data[0] !== NFPROTO_INET) return [];
      const name = attrs(m.data, 4).get(NFTA_TABLE_NAME);
      return name ? [cstr(name)] : [];
    });
  } finally {
    sock.close();
  }
}
