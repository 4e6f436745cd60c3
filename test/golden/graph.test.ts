// Golden graphs: `ctnet graph` of every example in dot and in Mermaid, plus names with dots, dashes and underscores and a
// 100-container topology, compared with the committed files (a missing one fails: test/helpers/golden.ts);
// and every dot file renders with Graphviz (`dot -Tsvg`) without a warning.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphModel } from '../../src/graph/model.js';
import { toDot, toMermaid } from '../../src/graph/render.js';
import { checkTexts, loadTopology, type Topology } from '../../src/spec/index.js';
import { checkGolden } from '../helpers/golden.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const OUT = join(import.meta.dirname, 'graph');

const big = `version: 1
name: shop
networks:
  front: { subnet: 10.40.0.0/24 }
  back: { subnet: 10.41.0.0/24, internal: true }
containers:
${Array.from({ length: 100 }, (_, i) => `  c${i}: { netns: g${i}, networks: ${i % 10 === 0 ? '[front, back]' : i % 2 ? '[front]' : '[back]'}${i % 25 === 0 ? `, ports: ["${8000 + i}:80"]` : ''}${i % 33 === 1 ? ', links: ["c0:db"]' : ''} }`).join('\n')}
`;
const dotted = `version: 1
networks: { web.prod-1: { subnet: 10.42.0.0/24, ipv6_subnet: "fd00:42::/64" } }
containers:
  api_v2.x: { netns: gq, networks: { web.prod-1: { aliases: [x.y] } }, ports: ["127.0.0.1:8080:80", "9000-9001:7000-7001/udp"] }
  web-1: { netns: gq2, networks: [web.prod-1], links: ["api_v2.x:api"] }
`;

async function cases(): Promise<[string, Topology][]> {
  const out: [string, Topology][] = [];
  for (const f of readdirSync(EXAMPLES).filter((n) => n.endsWith('.yaml')).sort()) {
    const r = await loadTopology([join(EXAMPLES, f)]);
    expect(r.topology, f).toBeDefined();
    out.push([basename(f, '.yaml'), r.topology!]);
  }
  for (const [name, text] of [['big-100', big], ['dotted-names', dotted]] as const) {
    const r = checkTexts([{ file: `${name}.yaml`, text }]);
    expect(r.diagnostics.filter((d) => d.severity === 'error'), name).toEqual([]);
    out.push([name, r.topology!]);
  }
  return out;
}

describe('golden graphs', async () => {
  const all = await cases();
  it.each(all)('%s', (name, t) => {
    const m = graphModel(t);
    checkGolden(join(OUT, `${name}.dot`), toDot(m));
    checkGolden(join(OUT, `${name}.mmd`), toMermaid(m));
  });

  it('every dot graph renders with Graphviz, without warnings', () => {
    for (const [name, t] of all) {
      const r = spawnSync('dot', ['-Tsvg'], { input: toDot(graphModel(t)), encoding: 'utf8' });
      expect(r.error, 'graphviz is installed by scripts/install-deps.sh').toBeUndefined();
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
      expect(r.stdout, name).toContain('<svg');
    }
  });
});
