// issue 13 item 1: a container whose namespace is gone (its process or Docker container is not running)
// is waiting, not a conflict, and never blocks another container: before, one stopped `pid:` container in
// the file made every apply (and every watch pass) fail with "namespace ... does not exist".
import { describe, expect, it } from 'vitest';
import { ALL, NONE } from '../../src/model/parts.js';
import { reconcile } from '../../src/reconcile/index.js';
import { prepare } from '../../src/reconcile/prepare.js';
import { renderJson, renderText } from '../../src/plan/render.js';
import type { Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { topo } from '../support/topology-text.js';

const T = topo(`version: 1
networks: { n: { subnet: 10.250.9.0/24 } }
containers:
  up: { netns: /tmp/wait-up, networks: [n], links: [gone], hosts_file: /tmp/wait-up.hosts }
  gone: { pid: 4194000, networks: [n] }
  engine: { docker: not-running, networks: [n] }
`);

async function pass(k: FakeKernel, t: Topology, dryRun = false) {
  const { desired, observation } = await prepare(k, t, undefined);
  return reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE, dryRun });
}

describe('waiting containers', () => {
  it('converges the others and says which containers wait and why', async () => {
    const k = new FakeKernel();
    k.addNamespace('/tmp/wait-up');
    const r = await pass(k, T);
    expect(r.error).toBeUndefined();
    expect(r.plan.conflicts).toEqual([]);
    expect(r.plan.waiting).toEqual([
      { container: 'engine', ns: 'docker:not-running', why: 'Docker container "not-running" is not running' },
      { container: 'gone', ns: '/proc/4194000/ns/net', why: 'process 4194000 is gone' },
    ]);
    // The present container is wired, and its link to the waiting one names the address kept for it.
    expect(r.done.some((s) => s.key === 'veth/up/n')).toBe(true);
    expect(r.plan.steps.some((s) => s.key.includes('/gone/') || s.key.includes('/engine/'))).toBe(false);
    // The host learns the MAC of the address it just attached (apply/index.ts announceAttached).
    expect(k.announced).toEqual([{ ns: 'host', bridge: 'br-n', ip: expect.stringMatching(/^10\.250\.9\.\d+$/), mac: expect.stringMatching(/^02:42:0a:fa:09:/) }]);
    const hosts = r.plan.steps.find((s) => s.op.op === 'hosts.write');
    expect(hosts?.op.op === 'hosts.write' && hosts.op.obj.block).toMatch(/^10\.250\.9\.\d+\tgone$/m);

    const again = await pass(k, T, true);
    expect(again.plan.steps).toEqual([]);
    expect(renderText(again.plan)).toBe([
      'No changes. The kernel matches the topology, but for 2 waiting containers.',
      'waiting: container "engine": Docker container "not-running" is not running; it is attached when it runs again',
      'waiting: container "gone": process 4194000 is gone; it is attached when it runs again',
    ].join('\n'));
    expect(renderJson(again.plan).waiting.map((w) => w.container)).toEqual(['engine', 'gone']);
  });

  it('attaches a waiting container once its namespace exists, without touching the others', async () => {
    const k = new FakeKernel();
    k.addNamespace('/tmp/wait-up');
    await pass(k, T);
    k.addNamespace('/proc/4194000/ns/net');
    const r = await pass(k, T);
    expect(r.error).toBeUndefined();
    expect(r.plan.waiting?.map((w) => w.container)).toEqual(['engine']);
    expect(r.done.map((s) => s.key)).toContain('veth/gone/n');
    expect(r.done.every((s) => !s.key.includes('/up/'))).toBe(true);
  });

  it('keeps a missing named namespace a conflict (ctnet can create those; it is more often a typo)', async () => {
    const k = new FakeKernel();
    const r = await pass(k, topo(`version: 1
networks: { n: { subnet: 10.250.9.0/24 } }
containers: { c: { netns: wait-typo, networks: [n] } }
`), true);
    expect(r.plan.waiting).toBeUndefined();
    expect(r.plan.conflicts.map((c) => c.message)).toEqual(['namespace "/run/netns/wait-typo" of container "c" does not exist']);
  });
});
