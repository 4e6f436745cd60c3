// nftables adapter: one atomic JSON batch per apply and `list table` to observe, run in the namespace that
// plays the host, as `nft -j` would run them: through libnftables in-process (native/nftrun.c, on the
// threadpool, inside the namespace the adapter was given), or, where that library cannot be loaded, by spawning
// `nft` (through nsenter for another namespace). The library is what the `nft` program runs (its main() joins
// its arguments with spaces, or reads the -f file, and hands the text to the same function), so both ways take
// the same text and JSON and print the same JSON and errors; in-process saves forking the Node process and
// starting a program for every call (~8-10 ms each, four in a small apply). A spawned batch is a temp file,
// not stdin: nft opens /dev/stdin by path, which fails on Node's socketpair stdio (KERNEL-FACTS B2).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtin } from '../builtin.js';
import { KernelError } from '../errors.js';
import { NFT_TABLE } from '../model/keys.js';
import type { Operation } from '../model/ops.js';
import type { NsRef } from '../model/state.js';
import { batch } from '../nft/canon.js';
import { staleFlows } from '../nft/stale.js';
import { deleteFlows } from './conntrack.js';
import { errnoName } from './nlsock.js';
import { nsName, type NsCtx } from './nsctx.js';
import { native } from './setns.js';

interface Out { code: number; stdout: string; stderr: string }

/** Run a command in ns: directly, or through nsenter for another namespace file. */
export function runIn(ctx: NsCtx, ns: NsRef, cmd: string, args: string[]): Promise<Out> {
  const path = ctx.path(ns);
  const [bin, argv] = path === undefined ? [cmd, args] : ['nsenter', [`--net=${path}`, cmd, ...args]];
  return new Promise((resolve) => {
    const { execFile } = builtin<typeof import('node:child_process')>('node:child_process');
    execFile(bin, argv, { encoding: 'utf8', maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === 127 ? String(err.message) : '') });
    });
  });
}

/** `nft` is spawned for the rest of the process: libnftables.so.1 could not be loaded, or the process lives on
 *  (spawnNft). */
let spawnOnly = false;

/** For `ctnet watch`: a daemon of 1000 containers idled 7–9 MB higher with libnftables in-process (88–90 against
 *  79–81 MB, bench/RESULTS-watch.md): a glibc arena of ~3 MB resident for each pool thread that ran the library
 *  (four, in its smaps), which a malloc_trim after every call did not give back. Its few nft calls a minute gain
 *  little from the library; the commands that exit after one pass keep it. */
export function spawnNft(): void {
  spawnOnly = true;
}

/** `nft -j ARGS...` (the command line) or `nft -j -f FILE` (a JSON batch) in ns. */
async function nft(ctx: NsCtx, ns: NsRef, cmd: { args: string[] } | { json: string }): Promise<Out> {
  const path = ctx.path(ns);
  // CTNET_NFT=spawn: always spawn (the tests run both ways).
  if (!spawnOnly && process.env.CTNET_NFT !== 'spawn') {
    const r = await native().nftRun(path ?? null, 'args' in cmd ? cmd.args.join(' ') : cmd.json);
    if (r.rc !== undefined) return { code: r.rc === 0 ? 0 : 1, stdout: r.stdout!, stderr: r.stderr! };
    if (r.errno !== undefined) return { code: 1, stdout: '', stderr: `${r.syscall} ${path}: ${errnoName(r.errno)}` };
    spawnOnly = true; // r.unavailable: no libnftables.so.1 here
  }
  if ('args' in cmd) return runIn(ctx, ns, 'nft', ['-j', ...cmd.args]);
  const dir = mkdtempSync(join(tmpdir(), 'ctnet-nft-'));
  try {
    writeFileSync(join(dir, 'batch.json'), cmd.json);
    return await runIn(ctx, ns, 'nft', ['-j', '-f', join(dir, 'batch.json')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A failed nft run as a KernelError: exit code 127 (no nft to spawn) says how to install it; else `advice`. */
function failed(action: string, r: Out, advice?: string): KernelError {
  const missing = r.code === 127;
  return new KernelError(action, missing ? 'ENOENT' : undefined, r.stderr.trim(), missing ? 'install nftables (apt-get install nftables)' : advice);
}

/** `nft -j list table inet <table>` parsed, or null when the table does not exist. */
export async function dumpNft(ctx: NsCtx, ns: NsRef, table = NFT_TABLE): Promise<unknown | null> {
  const r = await nft(ctx, ns, { args: ['list', 'table', 'inet', table] });
  if (r.code === 0) return JSON.parse(r.stdout);
  if (/No such file or directory/.test(r.stderr)) return null;
  throw failed(`list nftables table inet ${table} in ${nsName(ns)}`, r);
}

/** `nft -j <args>` in ns: the items of its `nftables` list. `what` names the read in an error. */
export async function nftList(ctx: NsCtx, ns: NsRef, args: string[], what: string): Promise<Record<string, unknown>[]> {
  const r = await nft(ctx, ns, { args });
  if (r.code !== 0) {
    throw failed(`${what} in ${nsName(ns)}`, r);
  }
  return (JSON.parse(r.stdout) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
}

export async function applyNft(ctx: NsCtx, op: Operation & { op: 'nft.apply' }): Promise<void> {
  const table = op.obj?.name ?? op.before?.name ?? NFT_TABLE;
  const r = await nft(ctx, op.ns, { json: JSON.stringify(batch(op.obj?.ruleset ?? null, op.before?.ruleset ?? null, table)) });
  if (r.code !== 0) {
    throw failed(`${op.obj ? 'write' : 'delete'} nftables table inet ${table} in ${nsName(op.ns)}`, r,
      'nothing was changed: the transaction is atomic');
  }
  await dropStaleFlows(ctx, op);
}

/** Best effort: the conntrack entries of published ports whose target changed or went away (conntrack.ts). */
async function dropStaleFlows(ctx: NsCtx, op: Operation & { op: 'nft.apply' }): Promise<void> {
  await deleteFlows(ctx, op.ns, staleFlows(op.before?.ruleset, op.obj?.ruleset));
}
