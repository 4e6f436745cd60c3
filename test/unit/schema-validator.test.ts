// The topology schema is compiled ahead of time (scripts/gen-validator.mjs -> dist/src/spec/schema-validator.js)
// so no command pays for ajv at start. That generated validator must judge every input exactly as ajv compiling
// the schema now would: same verdict, same errors, on every file of the fuzz corpus, the golden validate cases
// and the examples. (Run after `npm run build`, as `npm test` does; without a build there is nothing to compare.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { compileNow } from '../../src/spec/schema.js';
import { packageRoot } from '../../src/package.js';

const ROOT = packageRoot();
const GENERATED = join(ROOT, 'dist/src/spec/schema-validator.js');

function inputs(): [string, unknown][] {
  const out: [string, unknown][] = [];
  const add = (dir: string) => {
    for (const f of readdirSync(dir, { recursive: true }) as string[]) {
      if (!/\.ya?ml$/.test(f)) continue;
      try { out.push([f, yaml.load(readFileSync(join(dir, f), 'utf8'))]); } catch { /* not YAML: the parser's business */ }
    }
  };
  for (const d of ['test/fuzz/corpus', 'test/golden/validate', 'examples']) add(join(ROOT, d));
  return out;
}

const errs = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)} ${(e.parentSchema as { description?: string })?.description ?? ''}`);

describe.skipIf(!existsSync(GENERATED))('generated schema validator', () => {
  it('agrees with the schema compiled now on every known input', async () => {
    const generated = (await import(pathToFileURL(GENERATED).href)).default as ValidateFunction;
    const now = await compileNow();
    const all = inputs();
    expect(all.length).toBeGreaterThan(400);
    for (const [name, value] of all) {
      const a = generated(value);
      const b = now(value);
      expect(a, name).toBe(b);
      expect(errs(generated), name).toEqual(errs(now));
    }
  });
});
