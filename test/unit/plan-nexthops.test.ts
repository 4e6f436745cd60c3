// Routes whose next hop is on no connected network are refused at plan time.
import { describe, expect, it } from 'vitest';
import { routeKey } from '../../src/model/keys.js';
import { HOST, emptyObserved, type RouteObj } from '../../src/model/state.js';
import { plan } from '../../src/plan/index.js';
import { desiredOf } from './plan-fixtures.js';

const peerRoute = (via: string): RouteObj =>
  ({ kind: 'route', key: routeKey('host', '172.18.0.0/16'), ns: HOST, family: 4, dst: '172.18.0.0/16', via });

describe('next hops', () => {
  const observed = () => {
    const o = emptyObserved();
    // the host's uplink, not ctnet's
    o.foreign.push({ kind: 'addr', ns: HOST, dev: 'eth0', family: 4, address: '192.168.100.200', prefix: 24 });
    return o;
  };

  it('accepts a next hop inside a connected prefix', () => {
    expect(plan(desiredOf([peerRoute('192.168.100.201')], []), observed()).conflicts).toEqual([]);
  });

  it('refuses one outside every connected prefix, naming route and next hop', () => {
    const p = plan(desiredOf([peerRoute('192.168.200.1')], []), observed());
    expect(p.conflicts).toHaveLength(1);
    expect(p.conflicts[0].message).toBe('next hop 192.168.200.1 of the route to 172.18.0.0/16 is not on a network directly connected to the host namespace');
  });

  it('counts addresses the same plan adds (a container default route via its new bridge gateway)', () => {
    const d = desiredOf([
      { kind: 'addr', key: 'addr/host/br0/10.9.0.1/24', ns: HOST, dev: 'br0', family: 4, address: '10.9.0.1', prefix: 24 },
      { ...peerRoute('10.9.0.7') },
    ], []);
    expect(plan(d, emptyObserved()).conflicts).toEqual([]);
  });
});
