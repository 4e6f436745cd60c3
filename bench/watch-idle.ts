// CPU of an idle `ctnet watch` over a long window, periodic resyncs included (issue 15: "watch CPU over 5 min
// idle incl. resyncs"). Root; everything in a throw-away sandbox host namespace, removed at the end.
//   npm run build && node dist/bench/watch-idle.js [N=1000] [RESYNC_S=30] [WINDOW_S=300]
//   CTNET_MAIN=<other build>/dist/bundle/main.js for before/after
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flagsOfUnit, sandbox } from './watch-sandbox.js';

const N = Number(process.argv[2] ?? 1000), RESYNC = process.argv[3] ?? '30', WINDOW = Number(process.argv[4] ?? 300);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js');
const sb = sandbox('wi', N, MAIN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  const d = sb.daemon(['--resync', RESYNC, '--log-level', 'debug']);
  await d.waitLine((l) => l.msg === 'reconcile');
  // Quiet: no log line for 2 s, or for half a resync period when that is shorter (a debug line comes at every
  // resync: at --resync 2 a 2 s silence never came and the bench waited for ever).
  await d.quiet(Math.min(2000, Number(RESYNC) * 500));
  // utime + stime of the daemon, and cutime + cstime: the processes it started and waited for (the `nft` it spawned
  // before nftables ran in-process: their CPU is the daemon's cost too, and was left out of figures before 2026-12-03 13:00).
  const cpu = () => {
    const s = readFileSync(`/proc/${d.pid}/stat`, 'utf8');
    const v = s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
    return { user: v[11] * 10, sys: v[12] * 10, children: (v[13] + v[14]) * 10 };
  };
  const mark = d.lines.length, c0 = cpu(), t0 = Date.now();
  await sleep(WINDOW * 1000);
  const c1 = cpu(), secs = (Date.now() - t0) / 1000;
  const user = c1.user - c0.user, sys = c1.sys - c0.sys, own = user + sys, children = c1.children - c0.children, used = own + children;
  const passes = d.lines.slice(mark).filter((l) => l.msg === 'reconcile').map((l) => l.durationMs!);
  console.log(`node ${process.version} ${flagsOfUnit().join(' ')}; N=${N}, --resync ${RESYNC}: ${used} ms CPU (own ${own}: user ${user}, system ${sys}; child processes ${children}) in ${secs.toFixed(0)} s = ${(used / secs / 10).toFixed(2)} % of a core; ${passes.length} resync passes, ${passes.slice(0, 12).join(' ')}${passes.length > 12 ? ' ...' : ''} ms`);
  await d.stop();
} finally {
  sb.remove();
}
