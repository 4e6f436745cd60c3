// The codec's pairs are exact inverses: whatever the builder encodes, every
// reader decodes to the same thing (property-based: fast-check draws the inputs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentOf, decodePorts, encodePorts, intentOf, type Intent, type PortEntry } from './codec.js';
import { normalise } from './canon.js';
import { buildRuleset } from './build.js';

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/);
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const subnet = fc.oneof(v4.map((a) => `${a}/24`), v6.map((a) => `${a}/64`));
const fam = fc.constantFrom<4 | 6>(4, 6);

const entry: fc.Arbitrary<PortEntry> = fam.chain((family) => fc.record({
  family: fc.constant(family),
  proto: fc.constantFrom<PortEntry['proto']>('tcp', 'udp', 'sctp'),
  hostPort: fc.integer({ min: 1, max: 65535 }),
  addr: family === 4 ? v4 : v6,
  port: fc.integer({ min: 1, max: 65535 }),
  hostIp: fc.option(family === 4 ? v4 : v6, { nil: undefined }),
})).map((e) => (e.hostIp === undefined ? (({ hostIp: _, ...rest }) => rest)(e) : e));

const intent: fc.Arbitrary<Intent> = fc.oneof(
  fc.constant<Intent>({ kind: 'replies' }),
  subnet.map((s): Intent => ({ kind: 'no-masquerade-to-peer', subnet: s })),
  fam.map((f): Intent => ({ kind: 'loopback-only', family: f })),
  fc.record({ family: fam, on: fc.constantFrom<'one' | 'every'>('one', 'every'), fromHost: fc.boolean() }).map((r): Intent => ({ kind: 'publish', ...r })),
  name.map((b): Intent => ({ kind: 'publish-localhost', bridge: b })),
  fc.record({ network: name, subnet }).map((r): Intent => ({ kind: 'masquerade', ...r })),
  fc.record({ network: name, family: fam }).map((r): Intent => ({ kind: 'hairpin', ...r })),
  fc.record({ network: name, way: fc.constantFrom<'leaves' | 'enters'>('leaves', 'enters') }).map((r): Intent => ({ kind: 'internal', ...r })),
  name.map((n): Intent => ({ kind: 'published-ports', network: n })),
  fc.record({ network: name, on: fc.boolean() }).map((r): Intent => ({ kind: 'icc', ...r })),
  fc.record({ network: name, from: name }).map((r): Intent => ({ kind: 'allow', ...r })),
  fc.record({ network: name, subnet }).map((r): Intent => ({ kind: 'allow-peer', ...r })),
  name.map((n): Intent => ({ kind: 'isolate', network: n })),
);

const key = (e: PortEntry) => `${e.family}|${e.hostIp ?? ''}|${e.proto}|${e.hostPort}`;
const byKey = (es: PortEntry[]) => [...es].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('nft codec', () => {
  it('decodePorts(encodePorts(x)) is x, for any set of published ports with distinct host sides', () => {
    fc.assert(fc.property(fc.uniqueArray(entry, { selector: key, maxLength: 40 }), (entries) => {
      const table = normalise({ chains: [], maps: encodePorts(entries), rules: [] });
      expect(byKey(decodePorts(table))).toEqual(byKey(entries));
    }), { numRuns: 300 });
  });

  it('intentOf(commentOf(i)) is i, for every kind of rule', () => {
    fc.assert(fc.property(intent, (i) => {
      expect(intentOf(commentOf(i))).toEqual(i);
    }), { numRuns: 1000 });
  });

  it('every rule the builder writes states an intent the codec reads back', () => {
    const r = buildRuleset([
      { name: 'web', bridge: 'br-web', subnet4: '10.1.0.0/24', subnet6: 'fd00:1::/64', internal: false, masquerade: true, icc: false, allowFrom: ['db'] },
      { name: 'db', bridge: 'br-db', subnet4: '10.2.0.0/24', internal: true, masquerade: false, icc: true, allowFrom: [] },
    ], [{ family: 4, proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, addr: '10.1.0.2', port: 80, container: 'w' }], ['10.9.0.0/24']);
    for (const rule of r.rules) expect(intentOf(rule.comment), rule.comment).toBeDefined();
  });

  it('a comment ctnet did not write has no intent', () => {
    expect(intentOf('added by hand')).toBeUndefined();
    expect(intentOf('ctnet:something else entirely')).toBeUndefined();
  });
});
