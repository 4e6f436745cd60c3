// The network address of ip/prefix, for rendering a bridge address as a subnet.
import { isIPv4 } from 'node:net';

export function networkOf(address: string, prefix: number, family: 4 | 6): string {
  if (family === 4 && isIPv4(address)) {
    const n = address.split('.').reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
    return `${fromBig(mask(n, prefix, 32), 4)}/${prefix}`;
  }
  return `${fromBig(mask(toBig6(address), prefix, 128), 6)}/${prefix}`;
}

function mask(n: bigint, prefix: number, bits: number): bigint {
  const m = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return n & m;
}

function toBig6(a: string): bigint {
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function fromBig(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 255n).toString()).join('.');
  const g = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // compress the longest run of zero groups (RFC 5952)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}
