// The fast path of parseYaml (js-yaml for the value, positions from `yaml` only on demand)
// must read every input exactly as the `yaml` parser does: all examples and golden inputs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWithPositions, parseYaml } from './parse.js';
import { locate } from './source.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}
const root = join(import.meta.dirname, '../..');
const files = [...yamlFiles(join(root, 'examples')), ...yamlFiles(join(root, 'test/golden'))];

describe('parseYaml fast path', () => {
  it('reads every example and golden input like the yaml parser', () => {
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const slow = parseWithPositions(f, text);
      const fast = parseYaml(f, text);
      expect(fast.diagnostics.length > 0, f).toBe(slow.diagnostics.length > 0);
      if (slow.diagnostics.length === 0) expect(fast.value, f).toEqual(slow.value);
    }
  });
  it('scalars of YAML 1.2 core: no 1.1 booleans, sexagesimals or timestamps', () => {
    const text = 'a: yes\nb: 8080:80\nc: 2001-12-14\nd: 0o17\ne: ~\nf: "1"\ng: 1_000\n';
    expect(parseYaml('t.yaml', text).value).toEqual(parseWithPositions('t.yaml', text).value);
  });
  it('positions are computed when asked, and point at the value', () => {
    const p = parseYaml('t.yaml', 'version: 1\nnetworks:\n  web:\n    subnet: 10.0.0.0/24\n');
    expect(locate(p.sources, ['networks', 'web', 'subnet'])).toMatchObject({ file: 't.yaml', line: 4, col: 13 });
  });
  it('what js-yaml rejects is reported by the yaml parser, with its position', () => {
    const dup = parseYaml('t.yaml', 'version: 1\nversion: 1\n');
    expect(dup.diagnostics[0]).toMatchObject({ line: 2, message: 'YAML: duplicate key "version"' });
    expect(parseYaml('t.yaml', 'a: [1\n').diagnostics[0].severity).toBe('error');
  });
});
