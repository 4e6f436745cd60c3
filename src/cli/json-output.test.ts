// Machine-readable output: `validate --json`, and `plan --json` on invalid input (a JSON document with the
// located diagnostics on stdout, not text on stderr); the version comes from ctnet's own package.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ctnetVersion, packageRoot } from '../package.js';
import type { Output } from './output.js';
import { planCommand } from './plan.js';
import { validateCommand } from './validate.js';

const capture = () => {
  const o = { stdout: [] as string[], stderr: [] as string[] };
  const out: Output = { log: (s) => o.stdout.push(s), err: (s) => o.stderr.push(s) };
  return { o, out };
};
const dir = mkdtempSync(join(tmpdir(), 'ctnet-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, 'version: 1\nnetworks:\n  web: { subnet: 10.10.0.0/16, gateway: 10.20.0.1 }\n');
const good = join(dir, 'good.yaml');
writeFileSync(good, 'version: 1\nnetworks:\n  web: { subnet: 10.10.0.0/16 }\n');

describe('JSON output', () => {
  it('validate --json: the located diagnostics, and whether the files are valid', async () => {
    const { o, out } = capture();
    expect(await validateCommand([bad], out, { json: true })).toBe(1);
    expect(o.stderr).toEqual([]);
    const doc = JSON.parse(o.stdout.join('\n'));
    expect(doc).toMatchObject({ formatVersion: 1, ctnetVersion: ctnetVersion(), valid: false });
    expect(doc.diagnostics).toEqual([expect.objectContaining({
      severity: 'error', file: bad, line: 3, col: expect.any(Number), path: 'networks.web.gateway', message: expect.stringContaining('10.20.0.1'),
    })]);
    const ok = capture();
    expect(await validateCommand([good], ok.out, { json: true })).toBe(0);
    expect(JSON.parse(ok.o.stdout.join('\n'))).toMatchObject({ valid: true, diagnostics: [] });
  });

  it('plan --json on invalid input writes a JSON document with the diagnostics (the kernel is never opened)', async () => {
    const { o, out } = capture();
    expect(await planCommand([bad], { json: true }, out)).toBe(1);
    const doc = JSON.parse(o.stdout.join('\n'));
    expect(doc.valid).toBe(false);
    expect(doc.diagnostics[0]).toMatchObject({ path: 'networks.web.gateway', line: 3 });
  });

  it('--version is ctnet\'s own, not the environment\'s', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
    expect(pkg.name).toBe('ctnet');
    expect(ctnetVersion()).toBe(pkg.version);
  });
});
