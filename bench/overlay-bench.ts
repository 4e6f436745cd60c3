// Benchmark of routing: vxlan at fleet size (issue 12), in a throw-away sandbox host (root; the machine's own
// namespace is never touched). One host with N remote hosts in the file (simulated: nothing answers, no
// traffic), each remote host with one network. Usage: node dist/bench/overlay-bench.js [N...]  (default 100 500)
//  - apply from nothing, and a converged plan (wall time of the CLI process), beside `plan` of a topology with
//    no hosts (the start-up and fixed cost every command pays): "own work" = converged plan - empty plan;
//  - under `ctnet watch`: one remote host changes its address in the file -> the pass that converged
//    (daemon's durationMs) and file write -> converged log line (includes the 20 ms debounce).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js'); // CTNET_MAIN: another build, for before/after
const P = `ctv${randomBytes(2).toString('hex')}`;
const H = `${P}h`, U = `${P}u`;
const dir = mkdtempSync(join(tmpdir(), `${P}-`));
// ctnet's cache of compiled code (src/cli/code-cache.ts) in this run's directory, not the machine's
process.env.CTNET_CACHE_DIR ??= join(dir, 'cache');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string, ...a: string[]) => spawnSync(cmd, a, { encoding: 'utf8' });
const remoteAddr = (i: number) => `10.90.${1 + (i >> 8)}.${i & 255}`;
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function topology(n: number, movedHost = -1): string {
  const lines = ['version: 1', 'routing: { mode: vxlan }', 'hosts:', '  self: { address: 10.90.0.1 }'];
  for (let i = 0; i < n; i++) lines.push(`  r${i}: { address: ${i === movedHost ? `10.91.${1 + (i >> 8)}.${i & 255}` : remoteAddr(i)} }`);
  lines.push('networks:', '  local: { subnet: 172.16.0.0/24, host: self }');
  for (let i = 0; i < n; i++) lines.push(`  n${i}: { subnet: 10.${100 + (i >> 8)}.${i & 255}.0/24, host: r${i} }`);
  lines.push('containers:', `  c0: { netns: ${P}c0, create: true, host: self, networks: [local] }`);
  return lines.join('\n') + '\n';
}
const ctnet = (...args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync('nsenter', [`--net=/run/netns/${H}`, process.execPath, MAIN, ...args], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 2) throw new Error(`ctnet ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
};

async function watchChange(file: string, n: number): Promise<{ pass: number; wall: number }> {
  const lines: { msg: string; ts: string; trigger?: string; durationMs?: number; result?: string }[] = [];
  const d = spawn('nsenter', [`--net=/run/netns/${H}`, process.execPath, MAIN, 'watch', '-f', file, '--host', 'self', '--resync', '300', '--debounce', '20', '--metrics-listen', 'off'], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: d.stdout! }).on('line', (l) => { try { lines.push(JSON.parse(l)); } catch { /* not ours */ } });
  const waitLine = async (pred: (l: (typeof lines)[number]) => boolean, from: number) => {
    for (let i = 0; i < 3000; i++) { const hit = lines.slice(from).find(pred); if (hit) return hit; await sleep(10); }
    throw new Error('timeout waiting for the daemon');
  };
  try {
    await waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0);
    for (let k = -1; k !== lines.length;) { k = lines.length; await sleep(1000); }
    const passes: number[] = [], walls: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const mark = lines.length;
      const w0 = Date.now();
      writeFileSync(file, topology(n, rep % 2 === 0 ? n >> 1 : -1)); // one host moves, then moves back
      const done = await waitLine((l) => l.msg === 'reconcile' && l.trigger === 'file' && l.result === 'converged', mark);
      passes.push(done.durationMs!);
      walls.push(Date.parse(done.ts) - w0);
      await sleep(500);
    }
    return { pass: med(passes), wall: med(walls) };
  } finally {
    d.kill('SIGTERM');
    await new Promise((r) => d.on('exit', r));
  }
}

async function main() {
  const rows: string[] = [];
  for (const n of SIZES.length ? SIZES : [100, 500]) {
    sh('ip', 'netns', 'add', H); sh('ip', 'netns', 'add', U);
    sh('ip', '-n', H, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', H, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', U);
    sh('ip', '-n', H, 'addr', 'add', '10.90.0.1/16', 'dev', 'uplink');
    sh('ip', '-n', H, 'link', 'set', 'uplink', 'up'); sh('ip', '-n', U, 'link', 'set', 'eth0', 'up');
    const empty = join(dir, 'empty.yaml'), file = join(dir, `n${n}.yaml`);
    writeFileSync(empty, 'version: 1\n');
    writeFileSync(file, topology(n));
    try {
      const apply = ctnet('apply', '-f', file, '--host', 'self');
      const plans: number[] = [], emptyPlans: number[] = [];
      for (let i = 0; i < 5; i++) { plans.push(ctnet('plan', '-f', file, '--host', 'self')); emptyPlans.push(ctnet('plan', '-f', empty)); }
      const w = await watchChange(file, n);
      rows.push(`| ${n} | ${apply.toFixed(0)} | ${med(plans).toFixed(0)} | ${med(emptyPlans).toFixed(0)} | ${(med(plans) - med(emptyPlans)).toFixed(0)} | ${w.pass.toFixed(1)} | ${w.wall} |`);
      console.error(rows.at(-1));
    } finally {
      ctnet('destroy');
      for (const ns of [H, U, `${P}c0`]) sh('ip', 'netns', 'del', ns);
      sh('rm', '-rf', `/etc/netns/${P}c0`);
    }
  }
  console.log('| remote hosts | apply from nothing (ms) | converged plan (ms) | plan of an empty topology (ms) | own work = difference (ms) | watch: one host moved, pass (ms) | watch: file write -> converged (ms) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(() => {
  for (const ns of [H, U, `${P}c0`]) sh('ip', 'netns', 'del', ns);
  rmSync(dir, { recursive: true, force: true });
});
