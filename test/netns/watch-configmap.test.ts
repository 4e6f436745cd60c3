// ctnet watch on Kubernetes (issue 12): a ConfigMap volume is updated by kubelet's atomic writer, which
// writes a new timestamped directory and swaps the `..data` symlink to it; the visible
// `topology.yaml -> ..data/topology.yaml` link never changes. The daemon must converge on the new topology
// within a second of the swap, not at the next resync.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon } from './watch-daemon.js';

const topo = (prefix: string, addr: string) => `version: 1
networks:
  cm: { subnet: 10.236.0.0/24 }
containers:
  a: { netns: ${prefix}a, create: true, networks: { cm: { ipv4_address: ${addr} } } }
`;

describe.skipIf(!isRoot)(rootTitle('ctnet watch follows a ConfigMap update (kubelet\'s ..data symlink swap)'), () => {
  const sbx = new Sandbox('k');
  const dir = join(sbx.dir, 'configmap');
  let d: Daemon;
  /** What kubelet does: the new content in a fresh directory, then one atomic rename of the `..data` link. */
  const publish = (ts: string, text: string, old?: string) => {
    mkdirSync(join(dir, `..${ts}`));
    writeFileSync(join(dir, `..${ts}`, 'topology.yaml'), text);
    symlinkSync(`..${ts}`, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    if (old) rmSync(join(dir, `..${old}`), { recursive: true });
  };

  beforeAll(async () => {
    sbx.create();
    mkdirSync(dir);
    publish('2026_12_02_14_00_00.1', topo(sbx.prefix, '10.236.0.10'));
    symlinkSync('..data/topology.yaml', join(dir, 'topology.yaml'));
    d = new Daemon(sbx, ['-f', dir, '--resync', '300', '--metrics-listen', 'off']);
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start' && l.result === 'converged', 0, 20_000);
    await d.settle();
  });
  afterAll(() => {
    d?.kill();
    sbx.destroy();
  });

  it('converges on the new topology within a second of the swap', async () => {
    const mark = d.lines.length;
    const t0 = Date.now();
    publish('2026_12_02_14_05_00.2', topo(sbx.prefix, '10.236.0.20'), '2026_12_02_14_00_00.1');
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'file' && l.result === 'converged', mark, 5_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(sh('ip', ['-n', `${sbx.prefix}a`, '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout).toContain('10.236.0.20/24');
  });
});
