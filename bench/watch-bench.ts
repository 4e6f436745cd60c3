// Benchmark of `ctnet watch` in a throw-away sandbox host (root; never touches the
// machine's own namespace). Usage: node dist/bench/watch-bench.js [N=100] [EVENTS=100]
//  - initial converge of N containers (one bridge, create: true)
//  - idle RSS and CPU of the daemon over 10 s
//  - drift repair latency over EVENTS tamper events, alternating "veth host end set down" and
//    "veth host end deleted" on random containers. Measured on our own rtnetlink socket in the
//    sandbox: from the kernel event of the tamper to the event of the host end being up again
//    (kernel event -> repaired), and to the daemon's verified reconcile log line
//  - file change -> converged for a one-container change
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import netlink from 'netlink';
import { parseLink } from '../src/kernel/dump.js';
import { inNetns, prepareNetns } from '../src/kernel/setns.js';
import { flagsOfUnit, removeOnKill } from './watch-sandbox.js';

const N = Number(process.argv[2] ?? 100);
const EVENTS = Number(process.argv[3] ?? 100);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js'); // another build: CTNET_MAIN
const P = `ctb${randomBytes(2).toString('hex')}`;
const H = `${P}h`;
const dir = mkdtempSync(join(tmpdir(), `${P}-`));
const file = join(dir, 't.yaml');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ip = (...a: string[]) => spawnSync('ip', a, { encoding: 'utf8' });

const topology = (n: number) => ['version: 1', 'networks:', '  bench: { subnet: 10.60.0.0/16 }', 'containers:',
  ...Array.from({ length: n }, (_, i) => `  c${i}: { netns: ${P}${i}, create: true, networks: { bench: {} } }`)].join('\n') + '\n';

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const f = (x: number) => x.toFixed(1);

async function main() {
  ip('netns', 'add', H);
  ip('-n', H, 'link', 'set', 'lo', 'up');
  writeFileSync(file, topology(N));
  await prepareNetns();
  const lines: { msg: string; ts: string; trigger?: string; durationMs?: number; result?: string; scope?: unknown }[] = [];
  // As examples/ctnet-watch.service runs it (its NODE_OPTIONS); NODE_FLAGS="..." to try other V8 flags.
  const d = daemon = spawn('nsenter', [`--net=/run/netns/${H}`, process.execPath, ...flagsOfUnit(), MAIN, 'watch', '-f', file, '--resync', '30', '--debounce', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // BENCH_LOG=file keeps the daemon's log lines (to see what a pass did).
  createInterface({ input: d.stdout! }).on('line', (l) => {
    if (process.env.BENCH_LOG) appendFileSync(process.env.BENCH_LOG, l + '\n');
    try { lines.push(JSON.parse(l)); } catch { /* not ours */ }
  });
  const waitLine = async (pred: (l: (typeof lines)[number]) => boolean, from: number) => {
    for (let i = 0; i < 3000; i++) { const hit = lines.slice(from).find(pred); if (hit) return hit; await sleep(10); }
    throw new Error(`timeout waiting for the daemon; last lines:\n${lines.slice(-5).map((l) => JSON.stringify(l).slice(0, 600)).join('\n')}`);
  };
  try {
    const start = await waitLine((l) => l.msg === 'reconcile', 0);
    console.log(`node ${process.version} ${flagsOfUnit().join(' ')}`);
    console.log(`N=${N}: initial converge ${f(start.durationMs!)} ms (${start.result})`);
    // Idle means idle: wait until the echo of the initial apply has been checked (no pass for 2 s).
    for (let n = -1; n !== lines.length;) { n = lines.length; await sleep(2000); }
    const pid = d.pid!;
    const cpu = () => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const v = s.slice(s.lastIndexOf(')') + 2).split(' '); return Number(v[11]) + Number(v[12]); };
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    const c0 = cpu(); const t0 = Date.now(); await sleep(10_000);
    const idleCpu = ((cpu() - c0) / 100) / ((Date.now() - t0) / 1000) * 100;
    console.log(`idle: RSS ${f(rss())} MB, CPU ${idleCpu.toFixed(2)} % over 10 s`);

    // Our own event socket in the sandbox host: when did the tamper and the repair happen in the kernel?
    const ev = inNetns(`/run/netns/${H}`, () => netlink.createNetlink(0, { ref: true } as never));
    ev.setRecvBufferSize(4 << 20);
    ev.addMembership(1); // RTNLGRP_LINK
    let onEv: ((type: number, alias: string | undefined, up: boolean, t: number) => void) | undefined;
    ev.on('message', (msgs) => { const t = performance.now(); for (const m of msgs) { const l = parseLink(m.data); onEv?.(m.type, l.alias, l.up, t); } });

    const kernelMs: number[] = []; const verifiedMs: number[] = []; const delMs: number[] = []; const downMs: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const c = Math.floor(Math.random() * N);
      const alias = `ctnet:veth/c${c}/bench`;
      const links = JSON.parse(ip('-n', H, '-j', 'link').stdout) as { ifname: string; ifalias?: string }[];
      const name = links.find((l) => l.ifalias === alias)!.ifname;
      let tamperAt = 0;
      const repaired = new Promise<number>((res) => {
        onEv = (type, a, up, t) => {
          if (a !== alias) return;
          if (!tamperAt && (type === 17 || !up)) tamperAt = t;
          else if (tamperAt && type === 16 && up) res(t);
        };
      });
      const mark = lines.length;
      const wall = Date.now();
      // Asynchronously: a blocking spawn would stop this process from reading its event socket,
      // and the tamper and the repair would then arrive in one batch with one receive time.
      const tamper = new Promise((res) => spawn('ip', i % 2 ? ['-n', H, 'link', 'del', name] : ['-n', H, 'link', 'set', name, 'down'], { stdio: 'ignore' }).on('exit', res));
      const at = await Promise.race([repaired, sleep(10_000).then(() => NaN)]);
      await tamper;
      kernelMs.push(at - tamperAt);
      (i % 2 ? delMs : downMs).push(at - tamperAt);
      const done = await waitLine((l) => l.msg === 'reconcile' && l.trigger !== 'file' && l.result === 'converged' && Date.parse(l.ts) >= wall, mark);
      verifiedMs.push(Date.parse(done.ts) - wall);
      await sleep(150); // let the verify pass run
    }
    onEv = undefined;
    const ok = kernelMs.filter((x) => Number.isFinite(x));
    console.log(`drift repair (kernel event -> host end up again), ${ok.length}/${EVENTS} events: p50 ${f(pct(ok, 50))} ms, p99 ${f(pct(ok, 99))} ms, max ${f(Math.max(...ok))} ms`);
    console.log(`  of which veth deleted: p50 ${f(pct(delMs, 50))} ms, p99 ${f(pct(delMs, 99))} ms; set down: p50 ${f(pct(downMs, 50))} ms, p99 ${f(pct(downMs, 99))} ms`);
    console.log(`drift repair (tamper command -> verified reconcile logged, includes ip spawn): p50 ${f(pct(verifiedMs, 50))} ms, p99 ${f(pct(verifiedMs, 99))} ms`);
    const passes = lines.filter((l) => l.msg === 'reconcile');
    const failed = passes.filter((p) => p.result !== 'converged');
    const busy = passes.filter((p) => p.trigger === 'kernel').map((p) => p.durationMs!);
    console.log(`kernel-triggered pass duration: p50 ${f(pct(busy, 50))} ms, p99 ${f(pct(busy, 99))} ms; failed passes ${failed.length}${failed.length ? ` (first: ${(failed[0] as { error?: string }).error})` : ''}`);
    console.log(`passes during the repair run: ${passes.length - 1} (kernel ${passes.filter((p) => p.trigger === 'kernel').length}, verify ${passes.filter((p) => p.trigger === 'verify').length})`);

    const mark = lines.length;
    const w0 = Date.now();
    writeFileSync(file, topology(N + 1));
    const fl = await waitLine((l) => l.msg === 'reconcile' && l.trigger === 'file', mark);
    console.log(`file change -> converged (one container added, debounce 20 ms): ${Date.parse(fl.ts) - w0} ms (pass ${f(fl.durationMs!)} ms, ${fl.result})`);
    console.log(`after: RSS ${f(rss())} MB`);

    // Correctness under a storm of mixed drift (before the next resync could mend anything): ~60 tampers of every
    // kind, 10 ms apart and unawaited, then wait for quiet and ask `ctnet plan` whether anything is left.
    {
      const byAlias = new Map((JSON.parse(ip('-n', H, '-j', 'link').stdout) as { ifname: string; ifalias?: string }[]).map((l) => [l.ifalias, l.ifname]));
      const veth = (c: number) => byAlias.get(`ctnet:veth/c${c}/bench`) ?? 'none';
      const kinds: ((c: number) => string[])[] = [
        (c) => ['-n', H, 'link', 'del', veth(c)],
        (c) => ['-n', H, 'link', 'set', veth(c), 'down'],
        (c) => ['-n', `${P}${c}`, 'addr', 'flush', 'dev', 'eth0'],
        (c) => ['-n', `${P}${c}`, 'route', 'del', 'default'],
        (c) => ['-n', `${P}${c}`, 'link', 'set', 'eth0', 'down'],
        (c) => ['netns', 'del', `${P}${c}`],
      ];
      const m0 = lines.length; const s0 = Date.now(); const runs: Promise<unknown>[] = [];
      const once = [['-n', H, 'link', 'set', byAlias.get('ctnet:bridge/bench') ?? 'none', 'down']];
      for (let i = 0; i < 60; i++) {
        const args = i === 30 ? once[0] : kinds[i % kinds.length](Math.floor(Math.random() * N));
        runs.push(new Promise((r) => spawn('ip', args, { stdio: 'ignore' }).on('exit', r)));
        if (i === 45) runs.push(new Promise((r) => spawn('nsenter', [`--net=/run/netns/${H}`, 'nft', 'flush', 'table', 'inet', 'ctnet'], { stdio: 'ignore' }).on('exit', r)));
        await sleep(10);
      }
      await Promise.all(runs);
      // Quiet is not enough (a long pass logs nothing until it ends): ask `ctnet plan` until it is empty.
      let plan = spawnSync('true', { encoding: 'utf8' });
      for (let tries = 0; tries < 15; tries++) {
        for (let n = -1; n !== lines.length;) { n = lines.length; await sleep(1000); }
        plan = spawnSync('nsenter', [`--net=/run/netns/${H}`, process.execPath, MAIN, 'plan', '-f', file, '--detailed-exitcode'], { encoding: 'utf8' });
        if (plan.status === 0) break;
      }
      const storm = lines.slice(m0).filter((l) => l.msg === 'reconcile');
      const applying = storm.filter((l) => (l as { steps?: unknown[] }).steps?.length);
      const quietAt = Date.parse((applying.at(-1) ?? storm.at(-1))?.ts ?? new Date().toISOString());
      console.log(`mixed drift storm (61 tampers 10 ms apart: veth deleted/down, addresses flushed, default routes deleted, eth0 down, namespaces deleted, the bridge down, the nft table flushed): ` +
        `last repair ${quietAt - s0} ms after the first tamper, ${storm.length} passes (${storm.filter((l) => l.scope === 'full').length} full, ${storm.filter((l) => l.trigger === 'resync').length} resync), ` +
        `${storm.filter((l) => l.result !== 'converged').length} failed${storm.filter((l) => l.result !== 'converged').map((l) => ` [${(l as { error?: string }).error}]`).join('')}; ctnet plan afterwards: exit ${plan.status}${plan.status ? `\n${plan.stdout}${plan.stderr}` : ' (nothing to do)'}`);
    }
    // Idle including the periodic resync (every 30 s it reads everything again, in short passes).
    if (process.env.RESYNC_CPU !== '0') {
      await sleep(2000);
      const c1 = cpu(); const t1 = Date.now(); const m1 = lines.length; await sleep(61_000);
      const resyncs = lines.slice(m1).filter((l) => l.msg === 'reconcile' && l.trigger === 'resync');
      console.log(`idle over 61 s with the resync: CPU ${(((cpu() - c1) / 100) / ((Date.now() - t1) / 1000) * 100).toFixed(2)} %, ${resyncs.length} resync passes (longest ${f(Math.max(0, ...resyncs.map((l) => l.durationMs!)))} ms), RSS ${f(rss())} MB`);
    }
    ev.close();
  } finally {
    d.kill('SIGTERM');
    await new Promise((r) => d.on('exit', r));
    removeSandbox();
  }
}

let daemon: ChildProcess | undefined;

function removeSandbox() {
  if (daemon?.exitCode === null) daemon.kill('SIGKILL'); // still running: a killed bench leaves no daemon behind
  spawnSync('nsenter', [`--net=/run/netns/${H}`, process.execPath, MAIN, 'destroy'], { stdio: 'ignore' });
  for (const l of ip('netns', 'list').stdout.split('\n')) { const n = l.split(' ')[0]; if (n.startsWith(P)) ip('netns', 'del', n); }
  rmSync(dir, { recursive: true, force: true });
}
removeOnKill(removeSandbox); // the daemon and the sandbox go first

await main();
