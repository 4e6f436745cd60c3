// poolDiagnostics: the same answer as allocating, without allocating where no pool can run out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, poolDiagnostics } from './allocate.js';
import { checkTexts } from './index.js';

/** A topology of `n` containers on one network of `subnet` (and ip_range), `statics` of them static. */
function topology(subnet: string, n: number, statics: number, ipRange?: string) {
  const base = subnet.split('/')[0].split('.').map(Number);
  const lines = ['version: 1', 'networks:', `  t: { subnet: ${subnet}${ipRange ? `, ip_range: ${ipRange}` : ''} }`, 'containers:'];
  for (let i = 0; i < n; i++) {
    const ip = i < statics ? `{ ipv4_address: ${base[0]}.${base[1]}.${base[2]}.${base[3] + 2 + i} }` : '{}';
    lines.push(`  c${i}: { netns: pd${i}, networks: { t: ${ip} } }`);
  }
  // Validation stops before pools when an earlier rule fails; the pools are what is compared here.
  const { topology: t, diagnostics } = checkTexts([{ file: 't.yaml', text: lines.join('\n') }]);
  return { t, diagnostics };
}

describe('poolDiagnostics', () => {
  it('reports an exhausted pool like allocate, and nothing where every attachment fits', () => {
    // /29: 8 addresses, 5 usable beside the network address, the gateway and the broadcast address.
    expect(poolDiagnostics(topology('10.9.0.0/29', 5, 0).t!)).toEqual([]);
    const six = topology('10.9.0.0/29', 6, 0);
    expect(six.t).toBeUndefined(); // the exhausted pool is an error of validation
    expect(six.diagnostics.map((d) => d.message)).toContain('no free IPv4 address left in 10.9.0.0/29 of network "t"');
  });

  it('equals allocate()\'s diagnostics on random small networks (fast-check)', () => {
    fc.assert(fc.property(fc.integer({ min: 26, max: 30 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 3 }), fc.boolean(),
      (prefix, n, statics, range) => {
        const subnet = `10.77.0.0/${prefix}`;
        const ipRange = range && prefix < 30 ? `10.77.0.0/${prefix + 1}` : undefined;
        const { t } = topology(subnet, n, Math.min(statics, n), ipRange);
        if (!t) return; // refused by validation (an exhausted pool among the reasons): poolDiagnostics ran and said so
        expect(poolDiagnostics(t)).toEqual(allocate(t).diagnostics);
      }), { numRuns: 200 });
  });
});
