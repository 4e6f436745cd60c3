// Property-based planning (issue 16): fast-check draws topologies and states of the host, and the
// planner and the fake kernel must always hold three promises:
//   1. apply, then plan: empty (any valid topology applies without a kernel refusal, and verifies);
//   2. from any state (another topology applied, then objects deleted, set down or replaced behind
//      ctnet's back), apply converges, or refuses a conflict having changed nothing;
//   3. a failure at any step of an apply is undone exactly: the host is as it was before.
// A shrunk counter-example is printed by fast-check; it becomes a golden plan case.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApplyError, ConflictError } from '../../src/errors.js';
import { withOwner } from '../../src/model/keys.js';
import { ALL, NONE } from '../../src/model/parts.js';
import { HOST, type NsRef, type OwnedObj } from '../../src/model/state.js';
import { observe } from '../../src/observe/index.js';
import { reconcile } from '../../src/reconcile/index.js';
import { prepare } from '../../src/reconcile/prepare.js';
import { checkTexts, type Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { CTRS, topoArb, yamlOf } from '../support/topology-arb.js';

function topology(text: string): Topology | undefined {
  const r = checkTexts([{ file: 'p.yaml', text }]);
  return r.topology;
}

const everyNs = new Map<NsRef, string>([[HOST, 'host'], ...CTRS.map((c) => [`/run/netns/pp${c}`, c] as [string, string])]);
async function state(k: FakeKernel): Promise<string> {
  const o = await observe(k, everyNs);
  const plain = (x: OwnedObj) => (x.kind === 'nft' ? { ...x, names: undefined } : x);
  return JSON.stringify([[...o.objects.values()].map(plain), [...o.presentNs].sort(), o.foreign.length]);
}
async function apply(k: FakeKernel, t: Topology) {
  const { desired, observation } = await prepare(k, t, undefined);
  return reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE });
}
async function planned(k: FakeKernel, t: Topology) {
  const { desired, observation } = await prepare(k, t, undefined);
  return (await reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE, dryRun: true })).plan;
}

/** Behind ctnet's back: delete, set down or re-address some of what the fake holds. */
async function tamper(k: FakeKernel, picks: number[]): Promise<void> {
  const o = await observe(k, everyNs);
  const objs = [...o.objects.values()];
  for (const p of picks) {
    const x = objs[p % Math.max(1, objs.length)];
    if (!x) return;
    try {
      if (x.kind === 'addr') await k.run({ op: 'addr.delete', obj: x });
      else if (x.kind === 'route') await k.run({ op: 'route.delete', obj: x });
      else if (x.kind === 'veth' && x.peerNs) await k.run({ op: p % 2 ? 'link.delete' : 'link.update', ...(p % 2 ? { ns: x.ns, objs: [x] } : { obj: { ...x, up: false }, before: x }) } as never);
      else if (x.kind === 'bridge') await k.run({ op: 'link.update', obj: { ...x, up: false, mtu: 1300 }, before: x });
      else if (x.kind === 'netns' && !x.shareOf) k.removeNamespace(x.path);
      else if (x.kind === 'nft') await k.run({ op: 'nft.apply', ns: HOST, before: x });
      else if (x.kind === 'hosts') await k.run({ op: 'hosts.delete', obj: x });
    } catch { /* already gone with something picked before */ }
  }
}

describe('planner properties (fast-check, fake kernel)', () => {
  it('any valid topology applies, verifies and then plans empty (400 topologies)', async () => {
    await fc.assert(fc.asyncProperty(topoArb, async (drawn) => {
      const t = topology(yamlOf(drawn, 1));
      fc.pre(t !== undefined);
      const k = new FakeKernel();
      const r = await apply(k, t!);
      expect(r.error).toBeUndefined();
      expect((await planned(k, t!)).steps).toEqual([]);
    }), { numRuns: 400 });
  }, 120_000);

  it('every object\'s owner is the one its key names, compiled and read back (200 topologies)', async () => {
    // compile and observe set the owners of loopbacks, veths, addresses, routes and sysctls where they make
    // them (model/keys.ts labelOwned), without parsing the keys: they must say what the keys say.
    const fromKey = (key: string) => withOwner<{ key: string; owner?: { container?: string; network?: string } }>({ key }).owner;
    const ownerOf = (o: OwnedObj) => { const { project: _, ...rest } = o.owner ?? {}; return Object.keys(rest).length ? rest : undefined; };
    const checked = new Set(['loopback', 'addr', 'route', 'sysctl']);
    await fc.assert(fc.asyncProperty(topoArb, async (drawn) => {
      const t = topology(yamlOf(drawn, 1));
      fc.pre(t !== undefined);
      const k = new FakeKernel();
      const { desired } = await prepare(k, t!, undefined);
      expect((await apply(k, t!)).error).toBeUndefined();
      const { observed } = await prepare(k, t!, undefined).then((p) => ({ observed: p.converted.observed }));
      for (const o of [...desired.objects.values(), ...observed.objects.values()]) {
        // (The host's addresses and routes name their network or route, set by compile from the topology.)
        if (o.kind === 'veth' || (checked.has(o.kind) && 'ns' in o && o.ns !== HOST)) expect({ key: o.key, owner: ownerOf(o) }).toEqual({ key: o.key, owner: fromKey(o.key) });
      }
    }), { numRuns: 200 });
  }, 120_000);

  it('from any state reached by another topology and tampering, apply converges (300 cases)', async () => {
    await fc.assert(fc.asyncProperty(topoArb, topoArb, fc.array(fc.nat(200), { maxLength: 6 }), async (a, b, picks) => {
      const ta = topology(yamlOf(a, 1));
      const tb = topology(yamlOf(b, 2));
      fc.pre(ta !== undefined && tb !== undefined);
      const k = new FakeKernel();
      expect((await apply(k, ta!)).error).toBeUndefined();
      await tamper(k, picks);
      const before = await state(k);
      const r = await apply(k, tb!);
      if (r.error instanceof ConflictError) { expect(await state(k)).toBe(before); return; } // refused, nothing changed
      expect(r.error).toBeUndefined();
      expect((await planned(k, tb!)).steps).toEqual([]);
    }), { numRuns: 300 });
  }, 120_000);

  it('a failure at any step of an apply is undone exactly (300 cases)', async () => {
    await fc.assert(fc.asyncProperty(topoArb, topoArb, fc.nat(60), async (a, b, at) => {
      const ta = topology(yamlOf(a, 1));
      const tb = topology(yamlOf(b, 2));
      fc.pre(ta !== undefined && tb !== undefined);
      const k = new FakeKernel();
      expect((await apply(k, ta!)).error).toBeUndefined();
      const steps = (await planned(k, tb!)).steps.length;
      fc.pre(steps > 0);
      const before = await state(k);
      k.failAt(1 + (at % steps));
      const r = await apply(k, tb!);
      expect(r.error).toBeInstanceOf(ApplyError);
      expect((r.error as ApplyError).undoErrors.map((e) => e.message)).toEqual([]);
      expect(await state(k)).toBe(before);
    }), { numRuns: 300 });
  }, 120_000);
});
