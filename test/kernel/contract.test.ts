// The fake kernel (test/support/fake-kernel.ts) stands in for the real adapter in
// every unit test, so it must behave like it. This runs the same operations on
// both, the real one inside a sandbox "host" namespace, and compares what each
// then reports through observe(): the owned objects and the plan against the
// same desired state must be identical after every step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel } from '../../src/kernel/index.js';
import type { Kernel } from '../../src/kernel/port.js';
import type { Operation } from '../../src/model/ops.js';
import { ALL } from '../../src/model/parts.js';
import { HOST, type DesiredState, type ObservedState, type OwnedObj } from '../../src/model/state.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { reconcile } from '../../src/reconcile/index.js';
import { compile, checkTexts } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { addNetns, cleanupPrefix, isRoot, rootTitle, sh, uniquePrefix } from '../helpers/sandbox.js';

const P = uniquePrefix('fc');
const topology = `version: 1
networks:
  front: { bridge_name: ${P}b1, subnet: 10.61.0.0/24, ipv6_subnet: "fd00:61::/64" }
  back: { bridge_name: ${P}b2, subnet: 10.62.0.0/24, internal: true }
containers:
  a: { netns: ${P}a, create: true, networks: { front: { ipv4_address: 10.61.0.10 }, back: {} }, ports: ["18080:80", "127.0.0.1:18443:443/tcp"] }
  b: { netns: ${P}b, create: true, networks: { front: {} } }
peers:
  far: { via: 192.168.250.2, subnets: [10.90.0.0/24] }
`;

/** What a kernel reports, in a form two kernels can agree on. */
function owned(o: ObservedState): OwnedObj[] {
  return [...o.objects.values()].map((x) => ({ ...x, ...(x.kind === 'nft' ? { names: undefined } : {}) }));
}

describe.skipIf(!isRoot)(rootTitle('the fake kernel honours the contract of the real adapter (root)'), () => {
  let real: Kernel;
  const fake = new FakeKernel();
  let desired: DesiredState;

  beforeAll(async () => {
    addNetns(`${P}h`);
    // An uplink of the host's own (foreign to ctnet), on which the peer's next hop lies.
    sh('ip', ['-n', `${P}h`, 'link', 'add', `${P}up`, 'type', 'veth', 'peer', 'name', `${P}uq`]);
    sh('ip', ['-n', `${P}h`, 'link', 'set', `${P}uq`, 'up']);
    sh('ip', ['-n', `${P}h`, 'addr', 'add', '192.168.250.1/24', 'dev', `${P}up`]);
    sh('ip', ['-n', `${P}h`, 'link', 'set', `${P}up`, 'up']);
    fake.addLink(HOST, { name: `${P}up`, kind: 'veth' });
    fake.addAddress(HOST, `${P}up`, '192.168.250.1/24');
    fake.addRoute(HOST, { dst: '192.168.250.0/24', dev: `${P}up`, protocol: 2 });
    real = await createKernel({ hostNs: `/run/netns/${P}h` });
    // The fake starts where a fresh namespace starts.
    const values = await real.readSysctls(HOST, ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding']);
    for (const [path, value] of Object.entries(values ?? {})) fake.setSysctl(HOST, path, value);
    const { topology: t, diagnostics } = checkTexts([{ file: 'contract.yaml', text: topology }]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    desired = compile(t!, undefined, {});
  });

  afterAll(async () => {
    await real?.close();
    cleanupPrefix(P);
  });

  const both = async (op: Operation) => {
    const r = await real.run(op).then(() => 'ok', (e: Error) => `failed: ${(e as { errno?: string }).errno ?? e.message}`);
    const f = await fake.run(op).then(() => 'ok', (e: Error) => `failed: ${(e as { errno?: string }).errno ?? e.message}`);
    expect(f, `${op.op}: the fake answered differently`).toBe(r);
  };
  const reports = async () => {
    const [r, f] = await Promise.all([real, fake].map((k) => observe(k, desired.nsLabels, sysctlsOf(desired))));
    expect(owned(f)).toEqual(owned(r));
    expect([...f.presentNs].sort()).toEqual([...r.presentNs].sort());
    expect(plan(desired, f).steps.map((s) => `${s.action} ${s.key}`)).toEqual(plan(desired, r).steps.map((s) => `${s.action} ${s.key}`));
    return r;
  };

  it('from an empty host: the same plan, the same operations, the same converged state', async () => {
    await reports();
    for (const k of [real, fake]) {
      const r = await reconcile(k, desired, { parts: ALL });
      expect(r.error).toBeUndefined();
      expect(r.done.length).toBeGreaterThan(10);
    }
    const after = await reports();
    expect(plan(desired, after).steps).toEqual([]);
  });

  it('every kind of tamper reads back the same on both', async () => {
    const objs = [...desired.objects.values()];
    const get = <K extends OwnedObj['kind']>(kind: K, key: string) => objs.find((o) => o.kind === kind && o.key.includes(key)) as Extract<OwnedObj, { kind: K }>;
    const veth = get('veth', 'veth/b/');
    const addr = get('addr', `addr/a/eth0/10.61`);
    const route = get('route', 'route/a/0.0.0.0/0');
    const peer = get('route', 'route/host/10.90');
    const bridge = get('bridge', 'bridge/back');
    const steps: Operation[] = [
      { op: 'link.update', obj: { ...veth, up: false, mtu: 1400 }, before: veth },
      { op: 'addr.delete', obj: addr },
      { op: 'route.delete', obj: route },
      { op: 'route.replace', obj: { ...peer, via: '192.168.250.3' }, before: peer },
      { op: 'link.update', obj: { ...bridge, up: false }, before: bridge },
      { op: 'sysctl.set', obj: { ...get('sysctl', 'ip_forward'), value: '0' } },
      { op: 'nft.apply', ns: HOST },
      { op: 'link.delete', ns: HOST, objs: [veth] },
      { op: 'addr.delete', obj: addr }, // already gone: both must refuse alike
      { op: 'netns.delete', obj: get('netns', `netns/${P}b`) },
    ];
    for (const op of steps) {
      await both(op);
      await reports();
    }
    // And both converge again from there the same way.
    for (const k of [real, fake]) expect((await reconcile(k, desired, { parts: ALL })).error).toBeUndefined();
    expect(plan(desired, await reports()).steps).toEqual([]);
  });
});
