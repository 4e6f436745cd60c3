// ctnet's accept rules in Docker's DOCKER-USER chain (`firewall.docker_user`), through the `iptables` command:
// Docker's chains belong to iptables (iptables-nft on Debian 11+, or legacy), and DOCKER-USER is where Docker
// documents that users' rules go (it is jumped to first from FORWARD and Docker never flushes it). Each
// rule carries a comment "ctnet:<project>:<key>": that is how ctnet knows its own rules and leaves the
// operator's alone. Two rules per bridge, `-i <bridge> -j ACCEPT` and `-o <bridge> -j ACCEPT`.
import { readFileSync } from 'node:fs';
import { DEFAULT_PROJECT, DOCKER_USER_CHAIN, OWNER_PREFIX } from '../model/keys.js';
import type { FwAcceptObj, NsRef } from '../model/state.js';
import { KernelError } from '../errors.js';
import { runIn } from './nft.js';
import { chainNames, NFPROTO } from './nft-tables.js';
import { nsName, type NsCtx } from './nsctx.js';
import type { RawFwRule } from './port.js';

const DIRS = ['-i', '-o'] as const;

/** `iptables` in ns, waiting up to 5 s for the xtables lock another iptables user (Docker) may hold. */
const ipt = (ctx: NsCtx, ns: NsRef, args: string[]) => runIn(ctx, ns, 'iptables', ['-w', '5', ...args]);

const comment = (o: FwAcceptObj) => `${OWNER_PREFIX}${o.owner?.project ?? DEFAULT_PROJECT}:${o.key}`;
const spec = (o: FwAcceptObj, dir: '-i' | '-o') => [dir, o.bridge, '-m', 'comment', '--comment', comment(o), '-j', 'ACCEPT'];

/** ctnet's rules in the chain of ns; null when there is no such chain (no Docker, or no iptables). */
export async function readFwRules(ctx: NsCtx, ns: NsRef): Promise<RawFwRule[] | null> {
  if (!(await mayHaveChain(ctx, ns, DOCKER_USER_CHAIN))) return null;
  const r = await ipt(ctx, ns, ['-S', DOCKER_USER_CHAIN]);
  if (r.code !== 0) return null;
  const out: RawFwRule[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^-A \S+ (-i|-o) (\S+) -m comment --comment "?ctnet:([^:"\s]+):([^"\s]+)"? -j ACCEPT$/.exec(line.trim());
    if (m) out.push({ dir: m[1] === '-i' ? 'in' : 'out', dev: m[2], project: m[3], key: m[4], chain: DOCKER_USER_CHAIN });
  }
  return out;
}

/** Whether ns may have iptables' filter chain `chain`: false only when the kernel says so for both places
 *  iptables keeps it, so that `destroy` (which reads the chain) spawns no iptables on a host without Docker
 *  (~10 ms and node:child_process): no chain of that name in nf_tables' `ip filter` (iptables-nft, Debian's
 *  default) and no legacy iptables table in the namespace (/proc/net/ip_tables_names lists none, or there is
 *  no such file: the legacy module is not loaded). */
export async function mayHaveChain(ctx: NsCtx, ns: NsRef, chain: string): Promise<boolean> {
  const legacy = ctx.enter(ns, () => {
    try {
      return readFileSync('/proc/net/ip_tables_names', 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  if (legacy) return true;
  try {
    return (await chainNames(ctx, ns, NFPROTO.IPV4)).some(([table, name]) => table === 'filter' && name === chain);
  } catch {
    return true; // the kernel could not be asked: iptables can tell
  }
}

export async function insertFw(ctx: NsCtx, o: FwAcceptObj): Promise<void> {
  for (const dir of DIRS) {
    if ((await ipt(ctx, o.ns, ['-C', o.chain, ...spec(o, dir)])).code === 0) continue; // there already
    const r = await ipt(ctx, o.ns, ['-I', o.chain, ...spec(o, dir)]);
    if (r.code !== 0) {
      throw new KernelError(`insert ctnet's accept rule for "${o.bridge}" into ${o.chain} in ${nsName(o.ns)}`, r.code === 127 ? 'ENOENT' : undefined,
        r.stderr.trim(), r.code === 127 ? 'install iptables' : `is Docker running with its iptables rules (the ${o.chain} chain exists)?`);
    }
  }
}

export async function deleteFw(ctx: NsCtx, o: FwAcceptObj): Promise<void> {
  for (const dir of DIRS) {
    if ((await ipt(ctx, o.ns, ['-C', o.chain, ...spec(o, dir)])).code !== 0) continue; // gone already
    const r = await ipt(ctx, o.ns, ['-D', o.chain, ...spec(o, dir)]);
    if (r.code !== 0) throw new KernelError(`delete ctnet's accept rule for "${o.bridge}" from ${o.chain} in ${nsName(o.ns)}`, undefined, r.stderr.trim());
  }
}
