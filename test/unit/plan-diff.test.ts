// Planner table tests on hand-built states: what becomes a replace, what is implied
// by a parent's removal, phases, determinism, and the inverse of every operation.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/model/ops.js';
import { HOST, type ObservedState, type OwnedObj } from '../../src/model/state.js';
import { plan } from '../../src/plan/index.js';
import { undo, undoAll } from '../../src/plan/inverse.js';
import { renderJson, renderText } from '../../src/plan/render.js';
import { container, desiredOf, fullDesired, netns1, network, veth, W1, W2 } from './plan-fixtures.js';

const W3 = '/run/netns/web3';

function observedOf(objs: OwnedObj[], present = [HOST, W1, W2]): ObservedState {
  return { objects: new Map(objs.map((o) => [o.key, o])), foreign: [], presentNs: new Set(present) };
}
const converged = () => [...fullDesired().objects.values()];
const lines = (objs: OwnedObj[], desired = fullDesired(), present?: string[]) =>
  plan(desired, observedOf(objs, present)).steps.map((s) => `${s.phase} ${s.action} ${s.op.op} ${s.key} ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);

describe('plan', () => {
  it('has no steps when observed equals desired, whatever the map order', () => {
    expect(lines(converged().reverse())).toEqual([]);
  });

  it('replaces a veth moved to another namespace; its addresses and routes follow without own deletes', () => {
    const d = desiredOf([...network(), netns1, ...container('web1', W1, 10), ...container('web2', W3, 11)], [[W1, 'web1'], [W3, 'web2']]);
    expect(lines(converged(), d, [HOST, W1, W2, W3])).toEqual([
      '1 replace link.delete veth/web2/web-net immutable-changed (peer namespace /run/netns/web2 -> /run/netns/web3)',
      '8 replace link.create veth/web2/web-net immutable-changed (peer namespace /run/netns/web2 -> /run/netns/web3)',
      '9 create addr.add addr/web2/eth0/10.10.0.11/16 parent-replaced',
      '9 update link.update lo/web2 missing (state down -> up)',
      '10 create route.replace route/web2/0.0.0.0/0 parent-replaced',
    ]);
  });

  it('re-creates what lived on a replaced link with reason parent-replaced', () => {
    const d = desiredOf([...network(), netns1, ...container('web1', W1, 10), veth('web2', W2, 11, { peerName: 'eth1' }),
      ...container('web2', W2, 11).slice(1)]);
    // Desired still wants the address on eth0 and the route via eth0 of web2, which vanish with the old peer.
    expect(lines(converged(), d)).toEqual([
      '1 replace link.delete veth/web2/web-net immutable-changed (peer name eth0 -> eth1)',
      '8 replace link.create veth/web2/web-net immutable-changed (peer name eth0 -> eth1)',
      '9 create addr.add addr/web2/eth0/10.10.0.11/16 parent-replaced',
      '10 create route.replace route/web2/0.0.0.0/0 parent-replaced',
    ]);
  });

  it('re-attaches surviving veths when their bridge is recreated', () => {
    const objs = converged().map((o) => (o.kind === 'bridge' ? { ...o, name: 'br-old' } : o.kind === 'veth' ? { ...o, bridge: 'br-old' } : o));
    expect(lines(objs)).toEqual([
      '1 replace link.delete bridge/web-net immutable-changed (name br-old -> br-web)',
      '6 replace link.create bridge/web-net immutable-changed (name br-old -> br-web)',
      '8 update link.update veth/web1/web-net drifted (master br-old -> br-web)',
      '8 update link.update veth/web2/web-net drifted (master br-old -> br-web)',
    ]);
  });

  it('recreates a route whose metric changed (REPLACE would add a second one) and updates one whose via changed', () => {
    const objs = converged().map((o) => (o.kind === 'route' && o.ns === W1 ? { ...o, metric: 100 } : o.kind === 'route' ? { ...o, via: '10.10.0.254' } : o));
    expect(lines(objs)).toEqual([
      '0 replace route.delete route/web1/0.0.0.0/0 immutable-changed (metric 100 -> 0)',
      '10 replace route.replace route/web1/0.0.0.0/0 immutable-changed (metric 100 -> 0)',
      '10 update route.replace route/web2/0.0.0.0/0 drifted (via 10.10.0.254 -> 10.10.0.1)',
    ]);
  });

  it('recreates a namespace whose marker outlived it, and everything in it', () => {
    const objs = converged().filter((o) => !('ns' in o) || o.ns !== W1 || o.kind === 'veth');
    const out = lines(objs.filter((o) => o.kind !== 'veth' || o.ns !== W1), fullDesired(), [HOST, W2]);
    expect(out[0]).toBe('4 create netns.create netns/web1 missing');
  });

  it('replaces a namespace whose shareOf changed; its contents are re-created, not deleted', () => {
    const objs = converged().map((o) => (o.kind === 'netns' ? { ...o, shareOf: 'web2' } : o));
    expect(lines(objs)).toEqual([
      '2 replace netns.delete netns/web1 immutable-changed (shares web2 -> (none))',
      '4 replace netns.create netns/web1 immutable-changed (shares web2 -> (none))',
    ]);
    // A shared name owns no content; the other way round the contents go with the namespace.
    const back = desiredOf(converged().map((o) => (o.kind === 'netns' ? { ...o, shareOf: 'web2' } : o)));
    expect(lines(converged(), back)).toEqual([
      '3 replace netns.delete netns/web1 immutable-changed (shares (none) -> web2)',
      '5 replace netns.create netns/web1 immutable-changed (shares (none) -> web2)',
      '8 create link.create veth/web1/web-net parent-replaced',
      '9 create addr.add addr/web1/eth0/10.10.0.10/16 parent-replaced',
      '9 update link.update lo/web1 parent-replaced (state down -> up)',
      '10 create route.replace route/web1/0.0.0.0/0 parent-replaced',
    ]);
  });

  it('never deletes a loopback or a sysctl; leaves what dies with its link or namespace to the kernel', () => {
    expect(lines(converged(), desiredOf([]))).toEqual([
      // The bridge address dies with the bridge, web1's address and route with its namespace; veth/web1 is
      // deleted explicitly all the same (the kernel tears a namespace down asynchronously: it would linger).
      '1 delete link.delete bridge/web-net not-in-topology (3 links deleted together: bridge/web-net, veth/web1/web-net, veth/web2/web-net)',
      '3 delete netns.delete netns/web1 not-in-topology',
    ]);
    const d = desiredOf(converged().filter((o) => o.kind !== 'addr' && o.kind !== 'route'));
    expect(lines(converged(), d)).toEqual([
      '0 delete addr.delete addr/host/br-web/10.10.0.1/16 not-in-topology',
      '0 delete addr.delete addr/web1/eth0/10.10.0.10/16 not-in-topology',
      '0 delete addr.delete addr/web2/eth0/10.10.0.11/16 not-in-topology',
      '0 delete route.delete route/web1/0.0.0.0/0 not-in-topology',
      '0 delete route.delete route/web2/0.0.0.0/0 not-in-topology',
    ]);
  });

  it('renders text and JSON with stable field order', () => {
    const objs = converged().filter((o) => o.kind !== 'sysctl').map((o) => (o.kind === 'bridge' ? { ...o, mtu: 9000 } : o));
    const p = plan(fullDesired(), observedOf(objs));
    expect(renderText(p)).toBe([
      '  ~ bridge/web-net                      drifted (mtu 9000 -> 1500)',
      '  ~ sysctl/host/net.ipv4.ip_forward  missing (value -> 1)',
      '',
      'Plan: 0 to create, 2 to update, 0 to delete.',
    ].join('\n').replace('bridge/web-net                      ', 'bridge/web-net                   '));
    const json = JSON.stringify(renderJson(p));
    expect(json).toBe(JSON.stringify({
      formatVersion: 1, changes: { create: 0, update: 2, delete: 0 },
      steps: [
        { phase: 6, action: 'update', key: 'bridge/web-net', reason: 'drifted', detail: 'mtu 9000 -> 1500', op: {
          op: 'link.update',
          before: { key: 'bridge/web-net', kind: 'bridge', mac: '02:42:0a:0a:00:01', mtu: 9000, name: 'br-web', ns: 'host', up: true },
          obj: { key: 'bridge/web-net', kind: 'bridge', mac: '02:42:0a:0a:00:01', mtu: 1500, name: 'br-web', ns: 'host', up: true } } },
        { phase: 11, action: 'update', key: 'sysctl/host/net.ipv4.ip_forward', reason: 'missing', detail: 'value -> 1', op: {
          op: 'sysctl.set', obj: { key: 'sysctl/host/net.ipv4.ip_forward', kind: 'sysctl', ns: 'host', path: 'net.ipv4.ip_forward', value: '1' } } },
      ],
      conflicts: [],
      waiting: [],
    }));
  });
});

describe('undo', () => {
  const [br, , sc] = network();
  const v = veth('web1', W1, 10);
  const [, lo, addr, route] = container('web1', W1, 10);
  const cases: [Operation, Operation[]][] = [
    [{ op: 'netns.create', obj: netns1 as never }, [{ op: 'netns.delete', obj: netns1 as never }]],
    [{ op: 'link.create', obj: v }, [{ op: 'link.delete', ns: HOST, objs: [v] }]],
    [{ op: 'link.delete', ns: HOST, objs: [br as never, v] }, [{ op: 'link.create', obj: br as never }, { op: 'link.create', obj: v }]],
    [{ op: 'link.update', obj: lo as never, before: { ...(lo as never as object), up: false } as never },
      [{ op: 'link.update', obj: { ...(lo as never as object), up: false } as never, before: lo as never }]],
    [{ op: 'addr.add', obj: addr as never }, [{ op: 'addr.delete', obj: addr as never }]],
    [{ op: 'route.replace', obj: route as never }, [{ op: 'route.delete', obj: route as never }]],
    [{ op: 'route.replace', obj: route as never, before: { ...(route as never as object), via: '10.10.0.9' } as never },
      [{ op: 'route.replace', obj: { ...(route as never as object), via: '10.10.0.9' } as never, before: route as never }]],
    [{ op: 'sysctl.set', obj: sc as never, before: '0' }, [{ op: 'sysctl.set', obj: { ...(sc as never as object), value: '0' } as never, before: '1' }]],
    [{ op: 'sysctl.set', obj: sc as never }, []],
  ];
  it.each(cases)('%# %o', (op, inverse) => {
    expect(undoAll(op)).toEqual(inverse);
    expect(undo(op)).toEqual(inverse.length === 1 ? inverse[0] : null);
  });
});
