// compile() with a CompileMemo (what `ctnet watch` keeps between edits) makes exactly what compile() without one
// makes, and hands an unchanged container the very objects it had.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loKey, netnsKey, vethKey } from '../model/keys.js';
import type { DesiredState, ObservedState } from '../model/state.js';
import { compile, type CompileMemo } from './compile.js';
import { checkTexts, type ParseMemo } from './index.js';
import type { Topology } from './types.js';

/** `parsed`: kept across edits as the daemon keeps it, so that unchanged entries are the same values. */
function load(text: string, parsed?: ParseMemo): Topology {
  const r = checkTexts([{ file: 't.yaml', text }], parsed);
  if (!r.topology) throw new Error(JSON.stringify(r.diagnostics));
  return r.topology;
}

/** What an edit compiles against in the daemon: the last desired state, as if observed (watch/passes.ts). */
const asObserved = (d: DesiredState): ObservedState => ({ objects: d.objects, foreign: [], presentNs: new Set(d.nsLabels.keys()) });

/** Everything a caller can see of a desired state, positions of every object included. */
function seen(d: DesiredState) {
  return {
    objects: [...d.objects.entries()],
    origin: [...d.objects.keys()].map((k) => JSON.parse(JSON.stringify(d.origin.get(k) ?? null))),
    labels: [...d.nsLabels.entries()],
    project: d.project,
  };
}

interface Ctr { name: string; alt: boolean; mode: 'bridge' | 'share' | 'none'; nets: { net: 'a' | 'b'; ip?: number; iface?: string; route?: boolean }[]; create: boolean }
interface Topo { project?: string; ipv6: boolean; mtu?: number; vxlan: boolean; order: boolean; containers: Ctr[] }

const ctr = (name: string) => fc.record({
  name: fc.constant(name),
  alt: fc.boolean(), // another namespace name: what a container sharing this one's namespace names too
  mode: fc.constantFrom('bridge', 'bridge', 'bridge', 'share', 'none') as fc.Arbitrary<Ctr['mode']>,
  nets: fc.uniqueArray(fc.record({
    net: fc.constantFrom('a', 'b') as fc.Arbitrary<'a' | 'b'>,
    ip: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }), // where others' addresses are allocated
    iface: fc.option(fc.constantFrom('app', 'eth9'), { nil: undefined }), // + the network's name: one per network
    route: fc.option(fc.boolean(), { nil: undefined }),
  }), { selector: (x) => x.net, maxLength: 2 }),
  create: fc.boolean(),
});
const NAMES = ['c0', 'c1', 'c2', 'c3', 'c4'];
const topo: fc.Arbitrary<Topo> = fc.record({
  project: fc.option(fc.constantFrom('shop', 'lab'), { nil: undefined }),
  ipv6: fc.boolean(),
  mtu: fc.option(fc.constantFrom(1400, 9000), { nil: undefined }),
  vxlan: fc.boolean(), // an overlay lowers the MTU of the networks that do not give one
  order: fc.boolean(),
  containers: fc.subarray(NAMES).chain((names) => fc.tuple(...names.map(ctr))),
});

/** An edit as an operator makes one: one container changed, added or removed, or one setting of the file. */
type Edit = (t: Topo) => Topo;
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.constantFrom(...NAMES).chain(ctr).map((c): Edit => (t) => {
    const i = t.containers.findIndex((x) => x.name === c.name);
    return { ...t, containers: i < 0 ? [...t.containers, c] : t.containers.map((x, j) => (j === i ? c : x)) };
  }),
  fc.constantFrom(...NAMES).map((name): Edit => (t) => ({ ...t, containers: t.containers.filter((x) => x.name !== name) })),
  fc.option(fc.constantFrom('shop', 'lab'), { nil: undefined }).map((project): Edit => (t) => ({ ...t, project })),
  fc.option(fc.constantFrom(1400, 9000), { nil: undefined }).map((mtu): Edit => (t) => ({ ...t, mtu })),
  fc.constantFrom<keyof Topo>('ipv6', 'vxlan', 'order').map((k): Edit => (t) => ({ ...t, [k]: !t[k] })),
);

/** The topology's YAML. Two containers never claim one static address (validation would refuse it). */
function text(t: Topo): string {
  const lines = ['version: 1', ...(t.project ? [`name: ${t.project}`] : []), 'networks:',
    `  a: { subnet: 10.1.0.0/24${t.ipv6 ? ', ipv6_subnet: "fd00:1::/64"' : ''}${t.mtu ? `, mtu: ${t.mtu}` : ''} }`,
    '  b: { subnet: 10.2.0.0/24 }', 'containers:'];
  const list = t.order ? t.containers : [...t.containers].reverse(); // positions move when the order does
  const taken = new Set<string>();
  const first = list.find((c) => c.mode === 'bridge');
  for (const c of list) {
    if (c.mode === 'share') {
      // With a name of its own for the shared namespace: ctnet makes that name, for the other's namespace.
      lines.push(first && first !== c ? `  ${c.name}: { netns: s${c.name}, create: ${c.create}, network_mode: "container:${first.name}" }` : `  ${c.name}: { netns: m${c.name} }`);
      continue;
    }
    let routed = false; // one network at most has default_route: true
    const nets = c.nets.map((n) => {
      const ip = n.ip !== undefined && !taken.has(`${n.net}${n.ip}`) ? (taken.add(`${n.net}${n.ip}`), `ipv4_address: 10.${n.net === 'a' ? 1 : 2}.0.${n.ip}, `) : '';
      const route = n.route === undefined || (n.route && routed) ? '' : `default_route: ${n.route}, `;
      routed ||= n.route === true;
      return `${n.net}: { ${ip}${route}${n.iface ? `interface: ${n.iface}${n.net}` : ''} }`;
    });
    const mode = c.mode === 'none' ? ', network_mode: none' : `, networks: { ${nets.join(', ')} }`;
    lines.push(`  ${c.name}: { netns: m${c.name}${c.alt ? 'x' : ''}, create: ${c.create}${mode} }`);
  }
  if (t.vxlan) lines.push('hosts:', '  h1: { address: 10.9.0.1 }', '  h2: { address: 10.9.0.2 }', 'routing: { mode: vxlan }');
  return lines.join('\n') + '\n';
}

describe('compile with a memo', () => {
  it('makes what compile without one makes, over random sequences of edits (fast-check)', () => {
    fc.assert(fc.property(topo, fc.array(edit, { minLength: 1, maxLength: 6 }), (first, edits) => {
      // Two daemons: one reads its file as `ctnet watch` does (an unchanged entry is the same container object),
      // the other parses it afresh every time (equal containers, other objects).
      const kept = { memo: new Map() as CompileMemo, parsed: new Map() as ParseMemo, last: undefined as DesiredState | undefined };
      const fresh = { memo: new Map() as CompileMemo, parsed: undefined, last: undefined as DesiredState | undefined };
      let e = first;
      for (const next of [(t: Topo) => t, ...edits]) {
        e = next(e);
        const host = e.vxlan ? 'h1' : undefined;
        for (const daemon of [kept, fresh]) {
          const observed = daemon.last && asObserved(daemon.last);
          const plain = compile(load(text(e)), observed, { host });
          const memoised = compile(load(text(e), daemon.parsed), observed, { host, memo: daemon.memo });
          expect(seen(memoised)).toEqual(seen(plain));
          daemon.last = memoised;
        }
      }
    }), { numRuns: 200 });
  });

  it('gives a container whose inputs did not change the objects it had, and builds the edited one again', () => {
    const before = load('version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24 }\ncontainers:\n' +
      '  c0: { netns: m0, networks: [a] }\n  c1: { netns: m1, networks: [a] }\n');
    const after = load('version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24 }\ncontainers:\n' +
      '  c0: { netns: m0, networks: [a] }\n  c1: { netns: m1, networks: { a: { interface: app0 } } }\n');
    const memo: CompileMemo = new Map();
    const d1 = compile(before, undefined, { memo });
    const d2 = compile(after, asObserved(d1), { memo });
    expect(d2.objects.get(vethKey('c0', 'a'))).toBe(d1.objects.get(vethKey('c0', 'a')));
    expect(d2.objects.get(loKey('c0'))).toBe(d1.objects.get(loKey('c0')));
    expect(d2.objects.get(vethKey('c1', 'a'))).not.toBe(d1.objects.get(vethKey('c1', 'a')));
    expect(d2.objects.get(vethKey('c1', 'a'))).toMatchObject({ peerName: 'app0' });
    expect([...memo.keys()].sort()).toEqual(['c0', 'c1']);
    compile(load('version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24 }\ncontainers:\n  c1: { netns: m1, networks: [a] }\n'), asObserved(d2), { memo });
    expect([...memo.keys()]).toEqual(['c1']); // a container that left is forgotten
  });

  it('builds again a container whose own entry did not change but whose shared namespace did', () => {
    const parsed: ParseMemo = new Map();
    const memo: CompileMemo = new Map();
    const topology = (ns: string) => load('version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24 }\ncontainers:\n' +
      `  c0: { netns: ${ns}, networks: [a] }\n  c1: { netns: s1, create: true, network_mode: "container:c0" }\n`, parsed);
    const d1 = compile(topology('m0'), undefined, { memo });
    const d2 = compile(topology('m9'), asObserved(d1), { memo });
    expect(d2.objects.get(netnsKey('s1'))).toMatchObject({ shareOf: '/run/netns/m9' });
  });
});
