// RELIABILITY-DEFECTS D7/D8: a failed apply that removes containers must put back everything their
// removal took along (the namespace and, inside it, the veth end, addresses, routes; a `container:`
// share after the namespace it shares), and say so only when it did. On the fake kernel, through the
// CLI's path (prepare -> reconcile), failing at every step of the plan in turn.
import { describe, expect, it } from 'vitest';
import { ApplyError } from '../../src/errors.js';
import { HOST } from '../../src/model/state.js';
import { ALL, NONE } from '../../src/model/parts.js';
import { observe } from '../../src/observe/index.js';
import { reconcile } from '../../src/reconcile/index.js';
import { prepare } from '../../src/reconcile/prepare.js';
import type { Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { topo } from '../support/topology-text.js';

const FROM = topo(`version: 1
networks: { n: { subnet: 10.250.7.0/24 } }
containers:
  x1: { netns: rel-x1, create: true, networks: [n] }
  x2: { netns: rel-x2, create: true, network_mode: "container:x1" }
  keep: { netns: rel-keep, create: true, networks: [n] }
`);
const TO = topo(`version: 1
networks: { n: { subnet: 10.250.7.0/24 }, m: { subnet: 10.250.17.0/24 } }
containers:
  keep: { netns: rel-keep, create: true, networks: [n] }
  y1: { netns: rel-y1, create: true, networks: [m] }
`);
const ALL_NS = new Map([[HOST, 'host'], ['/run/netns/rel-x1', 'x1'], ['/run/netns/rel-x2', 'x2'], ['/run/netns/rel-keep', 'keep'], ['/run/netns/rel-y1', 'y1']]);

async function apply(k: FakeKernel, t: Topology) {
  const { desired, observation } = await prepare(k, t, undefined);
  return reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE });
}
/** Everything ctnet owns, read with the labels of every namespace involved (not ifindexes). */
async function state(k: FakeKernel): Promise<string> {
  const o = await observe(k, ALL_NS);
  return JSON.stringify([[...o.objects.entries()].sort(), [...o.presentNs].sort()], null, 1);
}

describe('undo of a failed apply that removes containers (D7, D8)', () => {
  it('puts back every removed container whole, whichever step fails', async () => {
    const probe = new FakeKernel();
    expect((await apply(probe, FROM)).error).toBeUndefined();
    const total = (await prepare(probe, TO, undefined).then(({ desired, observation }) =>
      reconcile(probe, desired, { parts: ALL, previous: observation, reread: NONE, dryRun: true }))).plan.steps.length;
    expect(total).toBeGreaterThan(5);
    for (let failAt = 1; failAt <= total; failAt++) {
      const k = new FakeKernel();
      expect((await apply(k, FROM)).error).toBeUndefined();
      const before = await state(k);
      k.failAt(failAt);
      const r = await apply(k, TO);
      expect(r.error, `failing at step ${failAt}`).toBeInstanceOf(ApplyError);
      // "All changes of this apply were undone" is printed only when nothing failed to undo.
      expect((r.error as ApplyError).undoErrors.map((e) => e.message), `failing at step ${failAt}`).toEqual([]);
      expect(await state(k), `failing at step ${failAt} of ${total}`).toBe(before);
      // And the old topology plans empty again: nothing is left for a later apply to repair.
      const again = await prepare(k, FROM, undefined);
      const p = await reconcile(k, again.desired, { parts: ALL, previous: again.observation, reread: NONE, dryRun: true });
      expect(p.plan.steps.map((s) => `${s.action} ${s.key}`), `failing at step ${failAt}`).toEqual([]);
    }
  });
});
