// Conflicts: what is in the way and not ctnet's. The plan keeps its steps; apply refuses.
import { describe, expect, it } from 'vitest';
import { FakeKernel } from '../support/fake-kernel.js';
import { HOST } from '../../src/model/state.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { fullDesired, W1, W2 } from './plan-fixtures.js';

async function conflictsOf(setup: (k: FakeKernel) => void) {
  const k = new FakeKernel();
  setup(k);
  const d = fullDesired();
  const p = plan(d, await observe(k, d.nsLabels, sysctlsOf(d)));
  expect(p.steps.length).toBeGreaterThan(0);
  return p.conflicts.map((c) => `${c.key}: ${c.message} | ${c.hint}`);
}

const table: [string, (k: FakeKernel) => void, string[]][] = [
  ['none', (k) => k.addNamespace(W2), []],
  ['a user bridge with the same name', (k) => { k.addNamespace(W2); k.addLink(HOST, { name: 'br-web', kind: 'bridge' }); }, [
    'bridge/web-net: bridge "br-web" cannot be created: the host namespace already has a link "br-web" (bridge) that ctnet does not own | set `bridge_name` on network "web-net" to a free name, or remove that link (ip link del br-web)',
  ]],
  ['a foreign link in place of the host end', (k) => { k.addNamespace(W2); k.addLink(HOST, { name: 'vweb2', kind: 'dummy' }); }, [
    'veth/web2/web-net: veth "vweb2" cannot be created: the host namespace already has a link "vweb2" (dummy) that ctnet does not own | remove that link (ip link del vweb2); ctnet never takes over links it did not create',
  ]],
  ['eth0 taken inside the container', (k) => { k.addNamespace(W2); k.addLink(W2, { name: 'eth0' }); }, [
    'veth/web2/web-net: interface "eth0" cannot be created in namespace "/run/netns/web2" of container "web2": a link with that name exists there and is not ctnet\'s | set `interface` on network "web-net" of container "web2" to a free name, or remove "eth0" from that namespace',
  ]],
  ['a foreign default route', (k) => {
    k.addNamespace(W2); k.addLink(W2, { name: 'uplink' }); k.addAddress(W2, 'uplink', '192.168.1.2/24');
    k.addRoute(W2, { dst: '0.0.0.0/0', via: '192.168.1.1' });
  }, [
    'route/web2/0.0.0.0/0: a route to 0.0.0.0/0 already exists in namespace "/run/netns/web2" (proto static, via 192.168.1.1, dev uplink) and is not ctnet\'s; replacing it would take it over | remove that route (ip route del 0.0.0.0/0) or remove the route to 0.0.0.0/0 from the topology',
  ]],
  ['the gateway address on another interface', (k) => { k.addNamespace(W2); k.addLink(HOST, { name: 'eth9' }); k.addAddress(HOST, 'eth9', '10.10.0.1/24'); }, [
    'addr/host/br-web/10.10.0.1/16: address 10.10.0.1 is already on interface "eth9" in the host namespace (not ctnet\'s), so it cannot be added to "br-web" | choose another address in the topology, or remove 10.10.0.1/24 from "eth9"',
  ]],
  ['a container namespace that does not exist', () => {}, [
    'addr/web2/eth0/10.10.0.11/16: namespace "/run/netns/web2" of container "web2" does not exist | create it (ip netns add web2) or set `create: true` on container "web2"',
  ]],
  ['create: true on a namespace that is not ctnet\'s', (k) => { k.addNamespace(W2); k.addNamespace(W1); }, [
    'netns/web1: namespace "/run/netns/web1" already exists and was not created by ctnet, but container "web1" sets `create: true` | remove `create: true` to use the existing namespace as it is, or delete it first (ip netns del web1)',
  ]],
];

describe('conflicts', () => {
  it.each(table)('%s', async (_name, setup, expected) => {
    expect(await conflictsOf(setup)).toEqual(expected);
  });

  it('ignores a foreign object next to a converged one (nothing to create there)', async () => {
    const k = new FakeKernel();
    k.addNamespace(W2);
    const d = fullDesired();
    for (const s of plan(d, await observe(k, d.nsLabels, sysctlsOf(d))).steps) await k.run(s.op);
    k.addLink(W2, { name: 'uplink' }); k.addAddress(W2, 'uplink', '10.10.0.10/24'); // web1's address, other ns: fine
    k.addRoute(HOST, { dst: '10.99.0.0/16', via: '10.10.0.11' });
    const p = plan(d, await observe(k, d.nsLabels, sysctlsOf(d)));
    expect(p).toEqual({ formatVersion: 1, steps: [], conflicts: [] });
  });
});
