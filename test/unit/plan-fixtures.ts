// Hand-built desired states for planner and fake-kernel tests (no spec layer):
// one bridge network "web-net" on br-web, containers web1 (namespace created by
// ctnet) and web2 (an existing namespace), each with an address and a default route.
import type { Kernel, Plan, Operation } from './plan-types.js';
import { addrKey, bridgeKey, loKey, netnsKey, routeKey, sysctlKey, vethKey } from '../../src/model/keys.js';
import { HOST, type DesiredState, type NsRef, type OwnedObj, type VethObj } from '../../src/model/state.js';
import { undoAll } from '../../src/plan/inverse.js';

export const W1 = '/run/netns/web1';
export const W2 = '/run/netns/web2';

export function veth(c: string, ns: NsRef, n: number, over: Partial<VethObj> = {}): VethObj {
  return {
    kind: 'veth', key: vethKey(c, 'web-net'), ns: HOST, name: `v${c}`, bridge: 'br-web', mtu: 1500, up: true,
    peerNs: ns, peerName: 'eth0', peerMac: `02:42:0a:0a:00:${n.toString(16).padStart(2, '0')}`, peerUp: true, ipv6: false, ...over,
  };
}

export function container(c: string, ns: NsRef, n: number): OwnedObj[] {
  return [
    veth(c, ns, n),
    { kind: 'loopback', key: loKey(c), ns, up: true },
    { kind: 'addr', key: addrKey(c, 'eth0', `10.10.0.${n}`, 16), ns, dev: 'eth0', family: 4, address: `10.10.0.${n}`, prefix: 16 },
    { kind: 'route', key: routeKey(c, '0.0.0.0/0'), ns, family: 4, dst: '0.0.0.0/0', via: '10.10.0.1', dev: 'eth0' },
  ];
}

export function network(): OwnedObj[] {
  return [
    { kind: 'bridge', key: bridgeKey('web-net'), ns: HOST, name: 'br-web', mtu: 1500, mac: '02:42:0a:0a:00:01', up: true },
    { kind: 'addr', key: addrKey('host', 'br-web', '10.10.0.1', 16), ns: HOST, dev: 'br-web', family: 4, address: '10.10.0.1', prefix: 16 },
    { kind: 'sysctl', key: sysctlKey('host', 'net.ipv4.ip_forward'), ns: HOST, path: 'net.ipv4.ip_forward', value: '1' },
  ];
}

export const netns1: OwnedObj = { kind: 'netns', key: netnsKey('web1'), name: 'web1', path: W1 };

export function desiredOf(objs: OwnedObj[], labels: [NsRef, string][] = [[W1, 'web1'], [W2, 'web2']]): DesiredState {
  return {
    objects: new Map(objs.map((o) => [o.key, o])),
    origin: new Map(),
    nsLabels: new Map<NsRef, string>([[HOST, 'host'], ...labels]),
  };
}

/** The standard two-container world. */
export const fullDesired = () => desiredOf([...network(), netns1, ...container('web1', W1, 10), ...container('web2', W2, 11)]);

/** Run a plan's steps phase by phase (sequentially; the fake is synchronous inside). */
export async function runPlan(kernel: Kernel, p: Plan): Promise<Operation[]> {
  const done: Operation[] = [];
  for (const s of p.steps) { await kernel.run(s.op); done.push(s.op); }
  return done;
}

/** Undo what ran, newest first, the way apply's journal does. */
export async function undoRun(kernel: Kernel, done: Operation[]): Promise<void> {
  for (const op of [...done].reverse()) for (const inv of undoAll(op)) await kernel.run(inv);
}
