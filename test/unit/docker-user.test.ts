// firewall.docker_user (issue 13 item 2): ctnet's own accept rules in Docker's DOCKER-USER chain are
// planned, applied, repaired and removed like every object ctnet owns. On the fake kernel, through the
// CLI's path (prepare -> reconcile, with the applied record a real apply writes).
import { describe, expect, it } from 'vitest';
import { ALL, NONE } from '../../src/model/parts.js';
import { digestsOf } from '../../src/plan/reasons.js';
import { reconcile } from '../../src/reconcile/index.js';
import { prepare } from '../../src/reconcile/prepare.js';
import type { Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { topo } from '../support/topology-text.js';

const base = `version: 1
name: shop
networks: { front: { subnet: 10.233.0.0/24 }, six: { ipv6_subnet: "fd00:233::/64" } }
containers: {}
`;
const ON = topo(base + 'firewall: { docker_user: true }\n');
const OFF = topo(base);

async function apply(k: FakeKernel, t: Topology, dryRun = false) {
  const { desired, observation } = await prepare(k, t, undefined);
  const r = await reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE, dryRun });
  if (!dryRun && !r.error) await k.writeApplied(t.project, digestsOf(desired));
  return r;
}

describe('firewall.docker_user', () => {
  it('inserts two marked accepts per IPv4 network, repairs a deleted one, removes them when the opt-in goes', async () => {
    const k = new FakeKernel();
    k.dockerUser = [{ dir: 'in', dev: 'br-mine', project: 'someone', key: 'theirs', chain: 'DOCKER-USER' }];
    const first = await apply(k, ON);
    expect(first.error).toBeUndefined();
    expect(first.plan.steps.filter((s) => s.key.startsWith('fwaccept/')).map((s) => `${s.action} ${s.key}`)).toEqual(['create fwaccept/front']);
    expect(k.dockerUser.filter((r) => r.project === 'shop').map((r) => `${r.dir} ${r.dev}`).sort()).toEqual(['in br-front', 'out br-front']);
    expect((await apply(k, ON, true)).plan.steps).toEqual([]);

    k.dockerUser = k.dockerUser.filter((r) => !(r.project === 'shop' && r.dir === 'out')); // someone deletes one
    const repaired = await apply(k, ON);
    expect(repaired.plan.steps.map((s) => `${s.action} ${s.key} ${s.reason}`)).toEqual(['replace fwaccept/front drifted', 'replace fwaccept/front drifted']);
    expect(k.dockerUser.filter((r) => r.project === 'shop')).toHaveLength(2);

    const off = await apply(k, OFF);
    expect(off.plan.steps.map((s) => `${s.action} ${s.key}`)).toEqual(['delete fwaccept/front']);
    expect(k.dockerUser).toEqual([{ dir: 'in', dev: 'br-mine', project: 'someone', key: 'theirs', chain: 'DOCKER-USER' }]); // theirs stays
  });

  it('fails whole, and undoes everything, where Docker has no DOCKER-USER chain', async () => {
    const k = new FakeKernel();
    const r = await apply(k, ON);
    expect(String(r.error)).toMatch(/no DOCKER-USER chain|insert/);
    expect((await apply(k, OFF, true)).plan.steps.some((s) => s.action === 'delete')).toBe(false);
  });
});
