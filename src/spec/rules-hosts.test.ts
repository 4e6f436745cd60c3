// The host-address rule finds a host address inside a container subnet by binary search (fleet files are
// large): it must report exactly the hosts a plain scan over every subnet reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTexts } from './index.js';

const msgs = (text: string) => (checkTexts([{ file: 't.yaml', text }]).diagnostics ?? []).filter((d) => d.message.includes('is inside subnet')).map((d) => d.path).sort();

describe('host addresses inside container subnets', () => {
  it('reports the same hosts as a scan over every subnet, overlapping and nested subnets included', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(16, 20, 24, 28)), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 4095 }), { minLength: 1, maxLength: 8 }),
      (subnets, hosts) => {
        const nets = subnets.map(([b, p], i) => `  n${i}: { subnet: 10.${b}.0.0/${p} }`);
        const hs = hosts.map((h, i) => `  h${i}: { address: 10.${h >> 8}.${h & 255}.7 }`);
        const text = `version: 1\nhosts:\n${hs.join('\n')}\nnetworks:\n${nets.join('\n')}\n`;
        const expected = hosts.flatMap((h, i) => subnets.some(([b, p]) => {
          const ip = ((10 << 24) | ((h >> 8) << 16) | ((h & 255) << 8) | 7) >>> 0;
          const base = ((10 << 24) | (b << 16)) >>> 0;
          const mask = p === 0 ? 0 : (~0 << (32 - p)) >>> 0;
          return ((ip & mask) >>> 0) === ((base & mask) >>> 0);
        }) ? [`hosts.h${i}.address`] : []);
        expect(msgs(text)).toEqual([...new Set(expected)].sort());
      }), { numRuns: 200 });
  });
});
