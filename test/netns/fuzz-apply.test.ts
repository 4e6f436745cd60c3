// A sample of the fuzz corpus through `ctnet apply` in a sandbox host (issue 16): one file of each class
// of problem; each is refused with exit 1, a located error and no stack, and the kernel is byte-for-byte
// unchanged (no link, address, route, namespace or nft table made).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';

const DIR = join(import.meta.dirname, '../fuzz/corpus');
/** The first file of every class (the name after the number says the class), and every file of the
 *  classes that stress the parser itself (the CLI's stack is smaller than a test worker's). */
const sample = (): string[] => {
  const seen = new Set<string>();
  return readdirSync(DIR).sort().filter((f) => {
    const cls = f.replace(/^\d+-/, '');
    return /^(deep|alias_bomb|yaml)\./.test(cls) || (!seen.has(cls) && !!seen.add(cls));
  });
};

describe.skipIf(!isRoot)(rootTitle('the fuzz corpus through apply'), () => {
  const sbx = new Sandbox('z');
  beforeAll(() => { sbx.create(); });
  afterAll(() => sbx.destroy());

  it('every class of invalid file is refused before any change', () => {
    const files = sample();
    expect(files.length).toBeGreaterThan(40);
    const before = sbx.snapshot();
    const netns = sh('ip', ['netns', 'list']).stdout;
    for (const f of files) {
      const r = sbx.ctnet(['apply', '-f', join(DIR, f)]);
      expect(r.status, f).toBe(1);
      expect(r.stderr, f).toMatch(/^error: /m);
      expect(r.stderr, f).not.toMatch(/internal error|    at |Maximum call stack/);
      expect(r.stderr, f).toContain('nothing was changed');
    }
    expect(sbx.snapshot()).toBe(before);
    expect(sh('ip', ['netns', 'list']).stdout).toBe(netns);
    expect(sh('nft', ['list', 'table', 'inet', 'ctnet'], { ns: sbx.hostNs, allowFail: true }).status).not.toBe(0);
  }, 300_000);
});
