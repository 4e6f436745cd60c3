// One-container edits under `ctnet watch` at N containers, as an operator makes them: after the daemon has been
// idle (code that has run once, not a warmed-up loop). Root; a throw-away sandbox, removed at the end.
//   npm run build && node dist/bench/watch-edits.js [N=1000] [EDITS=7] [GAP_MS=3000]
// Prints the edit pass as the daemon logs it (durationMs) and file write -> converged log line, median and each.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flagsOfUnit, sandbox } from './watch-sandbox.js';

const N = Number(process.argv[2] ?? 1000), EDITS = Number(process.argv[3] ?? 7), GAP = Number(process.argv[4] ?? 3000);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js');
const sb = sandbox('we', N, MAIN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const d = sb.daemon(['--resync', '300']);
  await d.waitLine((l) => l.msg === 'reconcile');
  await sleep(8000);
  const pass: number[] = [], wall: number[] = [];
  for (let e = 0; e < EDITS; e++) {
    if (e) await sleep(GAP);
    const mark = d.lines.length, w0 = Date.now();
    writeFileSync(sb.file, sb.topology(N + 1 - (e % 2))); // add container N, then remove it again
    const l = await d.waitLine((x) => x.msg === 'reconcile' && x.trigger === 'file', mark);
    if (l.result !== 'converged') throw new Error(`edit ${e}: ${l.result} ${l.error ?? ''}`);
    pass.push(l.durationMs!); wall.push(Date.parse(l.ts) - w0);
  }
  console.log(`node ${process.version} ${flagsOfUnit().join(' ')}; N=${N}: edit pass median ${med(pass)} ms (each: ${pass.join(' ')}); file write -> converged median ${med(wall)} ms (each: ${wall.join(' ')})`);
  await d.stop();
} finally {
  sb.remove();
}
