// The periodic resync (issue 15): every resync reads what changes without any event (here: route_localnet
// on a bridge, which has no netconf notification) and repairs it; only every 10th reads every container again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, sleep } from './watch-daemon.js';

const TOPO = `version: 1
networks: { lo: { subnet: 10.251.0.0/24, bridge_name: {P}br } }
containers:
  a: { netns: {P}a, create: true, networks: [lo], ports: ["127.0.0.1:8080:80"] }
`;

describe.skipIf(!isRoot)(rootTitle('light and full resyncs'), () => {
  const sbx = new Sandbox('rs');
  let d: Daemon;
  const localnet = () => sh('sysctl', ['-n', `net.ipv4.conf.${sbx.prefix}br.route_localnet`], { ns: sbx.hostNs }).stdout.trim();
  beforeAll(async () => {
    sbx.create();
    d = new Daemon(sbx, ['-f', sbx.topology('t.yaml', TOPO), '--metrics-listen', 'off', '--resync', '1']);
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start' && l.result === 'converged', 0, 20_000);
  });
  afterAll(async () => { await d.stop(); sbx.destroy(); });

  it('a light resync repairs a sysctl that sends no event; a full one reads the containers every 10th time', async () => {
    expect(localnet()).toBe('1');
    await sleep(1_500); // past the start pass's own verify pass: from now on only resyncs read the sysctls
    const mark = d.lines.length;
    sh('sysctl', ['-qw', `net.ipv4.conf.${sbx.prefix}br.route_localnet=0`], { ns: sbx.hostNs });
    const repair = await d.waitLine((l) => l.msg === 'drift repaired' && l.kind === 'sysctl', mark, 5_000);
    expect(repair.trigger).toBe('resync');
    expect(localnet()).toBe('1');
    // Resync passes as the debug log shows them: light ones read no container; the 10th reads them in chunks.
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'resync' && typeof l.scope === 'object' && (l.scope as { namespaces: number }).namespaces > 0, 0, 15_000);
    const resyncs = d.lines.filter((l) => l.msg === 'reconcile' && l.trigger === 'resync');
    const withContainers = resyncs.filter((l) => typeof l.scope === 'object' && (l.scope as { namespaces: number }).namespaces > 0);
    expect(resyncs.length).toBeGreaterThanOrEqual(10);
    expect(withContainers.length).toBeLessThanOrEqual(Math.ceil(resyncs.length / 10) + 1);
  }, 40_000);
});
