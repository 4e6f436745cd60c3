// Scale: thousands of containers must validate and compile quickly (rules and
// allocation are O(n log n), never pairwise over containers).
import { describe, expect, it } from 'vitest';
import { checkTexts, compile } from '../../src/spec/index.js';

describe('spec at scale', () => {
  it('validates and compiles 4000 containers on 4 networks in well under a few seconds', () => {
    const lines = ['version: 1', 'networks:'];
    for (let n = 0; n < 4; n++) lines.push(`  net${n}: { subnet: 10.${n}.0.0/16 }`);
    lines.push('containers:');
    for (let i = 0; i < 4000; i++) lines.push(`  c${i}: { netns: c${i}, create: true, networks: [net${i % 4}] }`);
    const t0 = performance.now();
    const r = checkTexts([{ file: 'big.yaml', text: lines.join('\n') }]);
    expect(r.diagnostics).toEqual([]);
    const d = compile(r.topology!, undefined);
    const ms = performance.now() - t0;
    expect(d.objects.size).toBe(4 * 2 + 4000 * 5);
    expect(ms).toBeLessThan(5000);
  });
});
