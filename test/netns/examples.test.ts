// Every shipped example validates, applies in a sandbox host, plans empty
// afterwards and is destroyed cleanly (nmstate's examples_test). Namespace
// names get a unique prefix: /run/netns is shared by every test on the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot } from '../helpers/sandbox.js';

const DIR = resolve(import.meta.dirname, '../../examples');
const examples = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

function prefixed(text: string, prefix: string): string {
  const doc = parse(text);
  for (const c of Object.values<Record<string, unknown>>(doc.containers ?? {})) {
    if (typeof c.netns === 'string' && !c.netns.startsWith('/')) c.netns = prefix + c.netns;
  }
  return stringify(doc);
}

describe.skipIf(!isRoot)('examples', () => {
  it.each(examples)('%s applies, re-plans empty and destroys', (name) => {
    const sbx = new Sandbox('e').create();
    try {
      const before = sbx.snapshot();
      const file = sbx.topology(name, prefixed(readFileSync(join(DIR, name), 'utf8'), sbx.prefix));
      const v = sbx.ctnet(['validate', '-f', file]);
      expect(v.stderr).toBe('');
      const a = sbx.ctnet(['apply', '-f', file]);
      expect(a.stderr).toBe('');
      expect(a.status).toBe(0);
      const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
      expect(p.stdout).toContain('No changes');
      expect(p.status).toBe(0);
      expect(sbx.ctnet(['destroy']).status).toBe(0);
      expect(sbx.snapshot()).toBe(before);
      expect(sbx.netnsList()).toEqual([]);
    } finally {
      sbx.destroy();
    }
  });
});
