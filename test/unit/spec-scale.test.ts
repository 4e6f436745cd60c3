// Scale: thousands of containers validate and compile correctly (rules and
// allocation are O(n log n), never pairwise over containers). Its speed is
// measured in bench/, not asserted here: a timed test flakes on a busy machine.
import { describe, expect, it } from 'vitest';
import { checkTexts, compile } from '../../src/spec/index.js';

describe('spec at scale', () => {
  // A generous timeout: this is a correctness test at scale, and the machine may be busy.
  it('validates and compiles 4000 containers on 4 networks', { timeout: 60_000 }, () => {
    const lines = ['version: 1', 'networks:'];
    for (let n = 0; n < 4; n++) lines.push(`  net${n}: { subnet: 10.${n}.0.0/16 }`);
    lines.push('containers:');
    for (let i = 0; i < 4000; i++) lines.push(`  c${i}: { netns: c${i}, create: true, networks: [net${i % 4}] }`);
    const r = checkTexts([{ file: 'big.yaml', text: lines.join('\n') }]);
    expect(r.diagnostics).toEqual([]);
    const d = compile(r.topology!, undefined);
    const count = (kind: string) => [...d.objects.values()].filter((o) => o.kind === kind).length;
    expect(count('bridge')).toBe(4);
    expect(count('netns')).toBe(4000);
    expect(count('veth')).toBe(4000);
    expect(count('route')).toBe(4000);
    expect(count('addr')).toBe(4 + 4000);
    // every container got its own address
    const addrs = [...d.objects.values()].filter((o) => o.kind === 'addr').map((o) => (o as { address: string }).address);
    expect(new Set(addrs).size).toBe(addrs.length);
  });
});
