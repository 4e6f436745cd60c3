#!/usr/bin/env node
// bench/nft-bench.mjs N [N...] -- published ports at scale (issue 3).
//   npm run build && sudo node bench/nft-bench.mjs 10 100 1000 10000
// For each N: one container publishing N TCP ports (a range of N-1 plus "5000:80").
// Measures, in a throw-away sandbox namespace (the root namespace is never touched):
//   raw nft: the whole-table transaction (`nft -j -f`, fresh table), the one-port
//            change transaction (element delta), and `nft -j list table` + canonicalise;
//   ctnet:   `ctnet apply` from nothing, `ctnet apply` after changing one port, and a
//            converged `ctnet plan` (wall time of the CLI process, node start-up included).
// FAMILIES="4 6" (default "4"): the container on an IPv4 network, or on an IPv6-only one (issue 17: the
// IPv6 published-port path, ip6 maps), each N measured for each family in turn in the same run.
// Prints a markdown table; REPS (default 5) repetitions of the raw timings, median.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const D = join(ROOT, 'dist/src');
const { loadTopology, compile } = await import(`${D}/spec/index.js`);
const { batch, fromListing } = await import(`${D}/nft/canon.js`);
const REPS = Number(process.env.REPS ?? 5);
const FAMILIES = (process.env.FAMILIES ?? '4').split(/\s+/).filter(Boolean).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'ctnet-nftbench-'));
// ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
process.env.CTNET_CACHE_DIR ??= join(dir, 'cache');
const prefix = `ctbn${randomBytes(2).toString('hex')}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

function topo(n, port, fam = 4) {
  const last = 20000 + n - 2;
  const [net, addr] = fam === 6 ? ['ipv6_subnet: "fd00:250::/64"', 'ipv6_address: "fd00:250::10"'] : ['subnet: 10.250.0.0/16', 'ipv4_address: 10.250.0.10'];
  return `version: 1
networks: { web: { ${net} } }
containers:
  c: { netns: ${prefix}c, create: true, networks: { web: { ${addr} } },
       ports: ["20000-${last}:20000-${last}", "${port}:80"] }
`;
}
async function ruleset(n, port, fam) {
  const f = join(dir, `r${n}-${port}.yaml`);
  writeFileSync(f, topo(n, port, fam));
  const { topology } = await loadTopology([f]);
  return compile(topology, undefined).objects.get('nft/inet/ctnet').ruleset;
}
const nsx = (ns, cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { ms: ms(t0), out: r.stdout };
};
const ctnet = (ns, args) => nsx(ns, process.execPath, [join(ROOT, 'dist/bundle/main.js'), ...args]);

const rows = [];
try {
  for (const n of process.argv.slice(2).map(Number)) for (const fam of FAMILIES) {
    const raw = `${prefix}r`, host = `${prefix}h`;
    for (const ns of [raw, host]) execFileSync('ip', ['netns', 'add', ns]);
    const [a, b] = [await ruleset(n, 5000, fam), await ruleset(n, 5001, fam)];
    const full = join(dir, 'full.json'), delta = join(dir, 'delta.json'), back = join(dir, 'back.json');
    writeFileSync(full, JSON.stringify(batch(a, null)));
    writeFileSync(delta, JSON.stringify(batch(b, a)));
    writeFileSync(back, JSON.stringify(batch(a, b)));
    const tFull = [], tDelta = [], tList = [];
    for (let i = 0; i < REPS; i++) {
      if (i) nsx(raw, 'nft', ['delete', 'table', 'inet', 'ctnet']);
      tFull.push(nsx(raw, 'nft', ['-j', '-f', full]).ms);
      tDelta.push(nsx(raw, 'nft', ['-j', '-f', delta]).ms);
      nsx(raw, 'nft', ['-j', '-f', back]);
      const t0 = process.hrtime.bigint();
      fromListing(JSON.parse(nsx(raw, 'nft', ['-j', 'list', 'table', 'inet', 'ctnet']).out));
      tList.push(ms(t0));
    }
    const f1 = join(dir, 't.yaml');
    writeFileSync(f1, topo(n, 5000, fam));
    const apply = ctnet(host, ['apply', '-f', f1]).ms;
    const plan = ctnet(host, ['plan', '-f', f1]).ms;
    writeFileSync(f1, topo(n, 5001, fam));
    const change = ctnet(host, ['apply', '-f', f1]).ms;
    ctnet(host, ['destroy']);
    for (const ns of [raw, host, `${prefix}c`]) spawnSync('ip', ['netns', 'del', ns]);
    rows.push(`| ${n} | IPv${fam} | ${median(tFull).toFixed(1)} | ${median(tDelta).toFixed(1)} | ${median(tList).toFixed(1)} | ${apply.toFixed(0)} | ${change.toFixed(0)} | ${plan.toFixed(0)} |`);
    console.error(rows.at(-1));
  }
} finally {
  for (const s of ['r', 'h', 'c']) spawnSync('ip', ['netns', 'del', `${prefix}${s}`]);
  rmSync(dir, { recursive: true, force: true });
}
console.log('| ports | family | nft full table tx (ms) | nft one-port change tx (ms) | nft list + canonicalise (ms) | ctnet apply from nothing (ms) | ctnet apply, one port changed (ms) | ctnet plan, converged (ms) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
