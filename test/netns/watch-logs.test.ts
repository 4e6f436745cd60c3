// Daemon logs fit for journald (issue 14): at 1000 containers, at the default level, no line comes near
// journald's 48 KB line limit (the first pass used to log every step: 106 KB at 300 containers), and an idle
// daemon whose resyncs find nothing logs nothing at info; `--log-level debug` still shows every step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, sleep } from './watch-daemon.js';

const N = 1000;
const TOPO = `version: 1
networks: { big: { subnet: 10.249.0.0/16, bridge_name: {P}big } }
containers:
${Array.from({ length: N }, (_, i) => `  c${i}: { netns: {P}c${i}, create: true, networks: [big], ports: ["${20000 + i}:80"] }`).join('\n')}
`;

describe.skipIf(!isRoot)(rootTitle('daemon logs at 1000 containers'), () => {
  const sbx = new Sandbox('lg');
  let file = '';
  beforeAll(() => { sbx.create(); file = sbx.topology('t.yaml', TOPO); });
  afterAll(() => sbx.destroy());

  it('bounded lines at info, silent idle resyncs, every step at debug', async () => {
    const d = new Daemon(sbx, ['-f', file, '--metrics-listen', 'off', '--resync', '2', '--log-level', 'info']);
    const raw: string[] = [];
    d.proc.stdout!.on('data', (b) => raw.push(String(b)));
    try {
      const first = await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 60_000);
      expect(first).toMatchObject({ result: 'converged', stepCount: expect.any(Number), moreSteps: expect.any(Number) });
      expect((first.changes as { create: number }).create).toBeGreaterThan(N);
      expect((first.steps as unknown[]).length).toBe(20);
      const mark = d.lines.length;
      await sleep(5_000); // two resyncs, each a series of short passes over 1000 containers, nothing to do
      const idle = d.lines.slice(mark);
      expect(idle.filter((l) => l.level === 'info'), JSON.stringify(idle.slice(0, 3))).toEqual([]);
      const longest = Math.max(...raw.join('').split('\n').map((l) => Buffer.byteLength(l)));
      expect(longest).toBeLessThan(16 * 1024);
    } finally {
      await d.stop();
    }
    // At debug, a pass lists each of its steps as a line of its own.
    const dbg = new Daemon(sbx, ['-f', file, '--metrics-listen', 'off', '--log-level', 'debug']);
    try {
      await dbg.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 60_000);
      const from = dbg.lines.length;
      sh('ip', ['-n', sbx.hostNs, 'link', 'set', `${sbx.prefix}big`, 'down']);
      const step = await dbg.waitLine((l) => l.msg === 'step' && l.key === 'bridge/big', from, 10_000);
      expect(step).toMatchObject({ level: 'debug', action: 'update', reason: 'drifted' });
    } finally {
      await dbg.stop();
    }
  }, 120_000);
});
