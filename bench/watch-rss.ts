// Idle RSS of `ctnet watch` at N containers (issue 15: "watch idle RSS"), right after it converged and again
// after WAIT_S seconds of idling (V8 gives memory back only after a while of idling), with the resident set
// split into anonymous memory (heap, malloc) and file pages (the node binary's code). Root; a throw-away sandbox.
//   npm run build && node dist/bench/watch-rss.js [N=1000] [WAIT_S=90]
//   NODE_FLAGS="..." for other V8 flags than the systemd unit's; CTNET_MAIN=<other build>/dist/bundle/main.js
//   MAPPINGS=1 also lists the mappings holding the most resident memory (/proc/PID/smaps), by path
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flagsOfUnit, sandbox } from './watch-sandbox.js';

const N = Number(process.argv[2] ?? 1000), WAIT = Number(process.argv[3] ?? 90);
const MAIN = process.env.CTNET_MAIN ?? resolve(import.meta.dirname, '../bundle/main.js');
const sb = sandbox('wr', N, MAIN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mem = (pid: number | undefined) => {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const mb = (k: string) => Math.round(Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)![1]) / 1024);
  return `RSS ${mb('Rss')} MB (anonymous ${mb('Anonymous')}, file ${mb('Rss') - mb('Anonymous')})`;
};
/** Resident kB per mapped file segment ("[anon]" for anonymous mappings, "[heap]", ...), largest first. */
const mappings = (pid: number | undefined, top = 12) => {
  const by = new Map<string, number>();
  let path = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    // A file's segments (text, read-only data) apart: which of them a command's work brought in.
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) (\S+) \S+ \S+\s*(.*)$/.exec(line);
    if (head) { path = head[3] ? `${head[3]} ${head[1]} @${head[2]}` : '[anon]'; continue; }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss) by.set(path, (by.get(path) ?? 0) + Number(rss[1]));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([p, kb]) => `  ${(kb / 1024).toFixed(1).padStart(6)} MB  ${p}`).join('\n');
};
try {
  const d = sb.daemon(['--resync', '30']);
  await d.waitLine((l) => l.msg === 'reconcile');
  await d.quiet(2000);
  const first = mem(d.pid);
  await sleep(WAIT * 1000);
  console.log(`node ${process.version} ${flagsOfUnit().join(' ')}; N=${N}: converged ${first}; after ${WAIT} s idle ${mem(d.pid)}`);
  if (process.env.MAPPINGS) console.log(mappings(d.pid));
  await d.stop();
} finally {
  sb.remove();
}
