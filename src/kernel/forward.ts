// Other people's firewalls on the forward hook: base chains that are not ctnet's and whose policy is drop
// (Docker's `FORWARD` in `ip filter`, a user's `policy drop`). An accept in ctnet's own table does not
// overrule them: every base chain on a hook must let a packet through. Read through `nft -j` (so Docker's
// iptables-nft rules are seen; rules of iptables-legacy are not, and README says so), with the simple
// accepts found in such a chain and in Docker's DOCKER-USER chain of the same table: matches on the input
// or output interface name only. What they mean for the topology is decided in spec/rules-forward.ts.
import type { NsRef } from '../model/state.js';
import { nftList } from './nft.js';
import type { NsCtx } from './nsctx.js';
import type { ForwardDrop } from './port.js';

interface NftChain { family: string; table: string; name: string; hook?: string; policy?: string }

export async function forwardDrops(ctx: NsCtx, ns: NsRef): Promise<ForwardDrop[]> {
  const chains = (await list(ctx, ns, ['list', 'chains'])).flatMap((i) => (i.chain ? [i.chain as NftChain] : []));
  const drops = chains.filter((c) => c.hook === 'forward' && c.policy === 'drop' && !(c.family === 'inet' && c.table.startsWith('ctnet')));
  const out: ForwardDrop[] = [];
  for (const c of drops) {
    const user = chains.find((u) => u.family === c.family && u.table === c.table && u.name === 'DOCKER-USER');
    const accepts = [...await acceptsOf(ctx, ns, c), ...(user ? await acceptsOf(ctx, ns, user) : [])];
    out.push({ family: c.family, table: c.table, chain: c.name, ...(user ? { userChain: user.name } : {}), accepts });
  }
  return out;
}

async function acceptsOf(ctx: NsCtx, ns: NsRef, c: NftChain): Promise<{ iif?: string; oif?: string }[]> {
  const rules = (await list(ctx, ns, ['list', 'chain', c.family, c.table, c.name])).flatMap((i) => (i.rule ? [i.rule as { expr: Record<string, any>[] }] : []));
  const out: { iif?: string; oif?: string }[] = [];
  for (const r of rules) {
    const a: { iif?: string; oif?: string } = {};
    let simple = true;
    let accept = false;
    for (const e of r.expr) {
      const m = e.match;
      const key = m?.left?.meta?.key;
      if (m && m.op === '==' && typeof m.right === 'string' && (key === 'iifname' || key === 'oifname')) a[key === 'iifname' ? 'iif' : 'oif'] = m.right;
      else if ('accept' in e) accept = true;
      else if (!('counter' in e) && !('comment' in e) && !('xt' in e && e.xt?.name === 'comment')) simple = false;
    }
    if (simple && accept) out.push(a);
  }
  return out;
}

const list = (ctx: NsCtx, ns: NsRef, args: string[]) => nftList(ctx, ns, args, `nft ${args.join(' ')}`);
