// apply's executor, verify and undo, on the fake kernel (no root): a failure at
// any step leaves the host exactly as before, including objects that a deleted
// link took with it; destroy keeps going past failures.
import { describe, expect, it } from 'vitest';
import { execute } from '../../src/apply/execute.js';
import { applyPlan } from '../../src/apply/index.js';
import { ApplyError, ConflictError } from '../../src/errors.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { HOST } from '../../src/model/state.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { container, desiredOf, fullDesired, netns1, network, W1, W2 } from './plan-fixtures.js';

const W3 = '/run/netns/web3';
const labels3: [string, string][] = [[W1, 'web1'], [W2, 'web2'], [W3, 'web3']];

function world(): FakeKernel {
  const k = new FakeKernel();
  k.addNamespace(W2);
  k.addNamespace(W3);
  k.setSysctl(HOST, 'net.ipv4.ip_forward', '0');
  return k;
}

async function converge(k: FakeKernel, desired = fullDesired()) {
  const before = await observe(k, desired.nsLabels, sysctlsOf(desired));
  return applyPlan(k, desired, before, plan(desired, before));
}

/** The observable state: every owned object with all its attributes, every foreign object.
 *  Not ifindexes: a deleted veth that is restored is a new link with a new ifindex. */
async function snapshot(k: FakeKernel): Promise<string> {
  const labels = new Map(labels3);
  labels.set(HOST, 'host');
  const o = await observe(k, labels, [{ ns: HOST, path: 'net.ipv4.ip_forward' }]);
  return JSON.stringify([[...o.objects.entries()].sort(), o.foreign, [...o.presentNs].sort()], null, 1);
}

describe('applyPlan on the fake kernel', () => {
  it('applies and verifies: a second plan is empty', async () => {
    const k = world();
    const res = await converge(k);
    expect(res.done.length).toBeGreaterThan(10);
    const d = fullDesired();
    expect(plan(d, await observe(k, d.nsLabels, sysctlsOf(d))).steps).toEqual([]);
  });

  it('refuses a plan with conflicts before running anything', async () => {
    const k = world();
    k.addLink(HOST, { name: 'br-web', kind: 'bridge' }); // a user's bridge with our name
    const before = await snapshot(k);
    await expect(converge(k)).rejects.toBeInstanceOf(ConflictError);
    expect(await snapshot(k)).toBe(before);
  });

  it('restores the previous state whichever step fails, including what a deleted link took along', async () => {
    // From: web1 + web2 converged. To: web2 removed (its veth, address and route go), web3 added.
    const from = desiredOf([...network(), netns1, ...container('web1', W1, 10), ...container('web2', W2, 11)], labels3);
    const to = desiredOf([...network(), netns1, ...container('web1', W1, 10), ...container('web3', W3, 12)], labels3);
    const probe = world();
    await converge(probe, from);
    const total = plan(to, await observe(probe, to.nsLabels, sysctlsOf(to))).steps.length;
    expect(total).toBeGreaterThan(3);
    for (let failAt = 1; failAt <= total; failAt++) {
      const k = world();
      await converge(k, from);
      const before = await snapshot(k);
      const obs = await observe(k, to.nsLabels, sysctlsOf(to));
      k.failAt(failAt);
      const err = await applyPlan(k, to, obs, plan(to, obs)).catch((e) => e);
      expect(err, `failure at step ${failAt}`).toBeInstanceOf(ApplyError);
      expect((err as ApplyError).undoErrors).toEqual([]);
      expect(await snapshot(k), `state after failure at step ${failAt}`).toBe(before);
    }
  });

  it('best effort (destroy) runs every step and reports the failures', async () => {
    const k = world();
    await converge(k);
    const labels = new Map([[HOST, 'host']]);
    const p = plan({ objects: new Map(), origin: new Map(), nsLabels: labels }, await observe(k, labels));
    k.failAt(1);
    const res = await execute(k, p, { bestEffort: true });
    expect(res.failed).toHaveLength(1);
    expect(res.done.length).toBe(p.steps.length - 1);
  });
});

describe('a veth half gone when observed', () => {
  it('is deleted (already gone is fine) and re-created in one apply', async () => {
    const k = world();
    await converge(k);
    const d = fullDesired();
    // What observe saw: web1's container end still there, its host end already deleted.
    const seen = await observe(k, d.nsLabels, sysctlsOf(d));
    const stale = structuredClone(await k.dump(W1, []))!;
    await k.run({ op: 'link.delete', ns: HOST, objs: [{ ...(seen.objects.get('veth/web1/web-net') as any) }] });
    const host = (await k.dump(HOST, ['net.ipv4.ip_forward']))!;
    const { toObserved } = await import('../../src/observe/convert.js');
    const others = await Promise.all([W2, W3].map((ns) => k.dump(ns, [])));
    const racy = toObserved([host, stale, ...others], d.nsLabels, await k.listOwnedNetns());
    expect(racy.objects.has('orphan/web1/eth0')).toBe(true);
    const p = plan(d, racy);
    expect(p.conflicts).toEqual([]);
    await applyPlan(k, d, racy, p);
    expect(plan(d, await observe(k, d.nsLabels, sysctlsOf(d))).steps).toEqual([]);
  });
});

describe('readMissingSysctls', () => {
  it('adds exactly what observing with the sysctls gives, so compile runs once per pass', async () => {
    const k = world();
    const d = fullDesired();
    const withThem = await observe(k, d.nsLabels, sysctlsOf(d));
    const { fromRaw, readAll, readMissingSysctls } = await import('../../src/observe/index.js');
    const raw = await readAll(k, [...d.nsLabels.keys()]);
    expect(fromRaw(raw, d.nsLabels).objects.has('sysctl/host/net.ipv4.ip_forward')).toBe(false);
    const later = fromRaw(await readMissingSysctls(k, raw, sysctlsOf(d)), d.nsLabels);
    expect(plan(d, later)).toEqual(plan(d, withThem));
    expect(later.objects.get('sysctl/host/net.ipv4.ip_forward')).toEqual(withThem.objects.get('sysctl/host/net.ipv4.ip_forward'));
  });
});

describe('restore after a failed apply', () => {
  it('does not bring back orphans the apply had deleted', async () => {
    const k = world();
    await converge(k);
    // A bridge a killed apply left behind: in ctnet's link group, never given its alias.
    k.addLink(HOST, { name: 'br-half', kind: 'bridge' });
    const d = fullDesired();
    const raw = (await k.dump(HOST, []))!;
    raw.links.find((l) => l.name === 'br-half')!.group = 0xc7;
    const { toObserved } = await import('../../src/observe/convert.js');
    const others = await Promise.all([W1, W2, W3].map((ns) => k.dump(ns, [])));
    const before = toObserved([raw, ...others], d.nsLabels, await k.listOwnedNetns());
    expect(before.objects.has('orphan/br-half')).toBe(true);
    const { snapshotAsDesired } = await import('../../src/apply/restore.js');
    expect(snapshotAsDesired(before, d.nsLabels).objects.has('orphan/br-half')).toBe(false);
  });
});
