// Fake-kernel round trips: observe -> plan -> run every step -> observe -> plan is empty.
import { describe, expect, it } from 'vitest';
import { FakeKernel } from '../support/fake-kernel.js';
import { HOST } from '../../src/model/state.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { renderText } from '../../src/plan/render.js';
import { container, desiredOf, fullDesired, netns1, network, runPlan, undoRun, W1, W2 } from './plan-fixtures.js';

async function converge(k: FakeKernel, desired = fullDesired()) {
  const before = await observe(k, desired.nsLabels, sysctlsOf(desired));
  const p = plan(desired, before);
  expect(p.conflicts).toEqual([]);
  await runPlan(k, p);
  const after = plan(desired, await observe(k, desired.nsLabels, sysctlsOf(desired)));
  expect(renderText(after)).toBe('No changes. The kernel matches the topology.');
  return p;
}

function world() {
  const k = new FakeKernel();
  k.addNamespace(W2); // web2's namespace exists already and is not ctnet's
  k.setSysctl(HOST, 'net.ipv4.ip_forward', '0');
  return k;
}

describe('fake round trip', () => {
  it('creates everything on an empty host, then has nothing left to do', async () => {
    const k = world();
    const p = await converge(k);
    expect(p.steps.map((s) => `${s.phase} ${s.op.op} ${s.key}`)).toEqual([
      '4 netns.create netns/web1',
      '6 link.create bridge/web-net',
      '7 addr.add addr/host/br-web/10.10.0.1/16',
      '8 link.create veth/web1/web-net',
      '8 link.create veth/web2/web-net',
      '9 addr.add addr/web1/eth0/10.10.0.10/16',
      '9 addr.add addr/web2/eth0/10.10.0.11/16',
      '9 link.update lo/web1',
      '9 link.update lo/web2',
      '10 route.replace route/web1/0.0.0.0/0',
      '10 route.replace route/web2/0.0.0.0/0',
      '11 sysctl.set sysctl/host/net.ipv4.ip_forward',
    ]);
    const d = await k.dump(W1, []);
    expect(d!.links.map((l) => [l.name, l.alias, l.up])).toEqual([['lo', undefined, true], ['eth0', 'ctnet:veth/web1/web-net', true]]);
    expect(d!.routes.find((r) => r.dst === '0.0.0.0/0')).toMatchObject({ protocol: 0xc7, gateway: '10.10.0.1' });
  });

  it('deletes a removed container with one group delete and leaves its foreign namespace', async () => {
    const k = world();
    await converge(k);
    const shrunk = desiredOf([...network(), netns1, ...container('web1', W1, 10)], [[W1, 'web1']]);
    const p = await converge(k, shrunk);
    expect(renderText(p)).toBe([
      '  - veth/web2/web-net  not-in-topology',
      '',
      'Plan: 0 to create, 0 to update, 1 to delete.',
    ].join('\n'));
    expect((await k.dump(W2, []))!.links.map((l) => l.name)).toEqual(['lo']);
  });

  it('deletes an owned namespace without separate steps for its contents', async () => {
    const k = world();
    await converge(k);
    const p = await converge(k, desiredOf([...network()], []));
    expect(p.steps.map((s) => `${s.phase} ${s.op.op} ${s.key}`)).toEqual([
      // Both veths: web1's peer is no longer observed (unlabelled), web2's namespace stays.
      '1 link.delete veth/web1/web-net',
      '3 netns.delete netns/web1',
    ]);
    expect(p.steps[0].op).toMatchObject({ op: 'link.delete', ns: HOST });
    expect((p.steps[0].op as { objs: unknown[] }).objs).toHaveLength(2);
    expect(await k.dump(W1, [])).toBeNull();
  });

  it('repairs drift: mtu changed behind its back, a deleted address, lo down', async () => {
    const k = world();
    await converge(k);
    const d = fullDesired();
    const br = d.objects.get('bridge/web-net')!;
    await k.run({ op: 'link.update', obj: { ...(br as never), mtu: 9000 }, before: br as never });
    await k.run({ op: 'addr.delete', obj: d.objects.get('addr/web2/eth0/10.10.0.11/16') as never });
    await k.run({ op: 'link.update', obj: { kind: 'loopback', key: 'lo/web1', ns: W1, up: false }, before: d.objects.get('lo/web1') as never });
    const p = plan(d, await observe(k, d.nsLabels, sysctlsOf(d)));
    expect(renderText(p)).toBe([
      '  ~ bridge/web-net                drifted (mtu 9000 -> 1500)',
      '  + addr/web2/eth0/10.10.0.11/16  missing',
      '  ~ lo/web1                       drifted (state down -> up)',
      // The kernel drops the default route with the address its gateway was reached through.
      '  + route/web2/0.0.0.0/0          missing',
      '',
      'Plan: 2 to create, 2 to update, 0 to delete.',
    ].join('\n'));
    await converge(k, d);
  });

  it('undoes a partly applied plan back to the state before, whichever step fails', async () => {
    for (const failAt of [1, 2, 5, 8, 12]) {
      const k = world();
      const d = fullDesired();
      const initial = await observe(k, d.nsLabels, sysctlsOf(d));
      const p = plan(d, initial);
      k.failAt(failAt);
      const done = [];
      try {
        for (const s of p.steps) { await k.run(s.op); done.push(s.op); }
      } catch (e) {
        expect((e as Error).message).toContain('injected');
      }
      expect(done).toHaveLength(failAt - 1);
      await undoRun(k, done);
      expect(await observe(k, d.nsLabels, sysctlsOf(d))).toEqual(initial);
    }
  });
});
