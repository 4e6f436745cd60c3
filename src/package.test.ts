import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ctnetVersion, packageAbove, packageRoot } from './package.js';

const dir = mkdtempSync(join(tmpdir(), 'ctnet-pkg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packageRoot', () => {
  it('is the directory of ctnet\'s package.json, and its version is that file\'s', () => {
    const own = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
    expect(own.name).toBe('ctnet');
    expect(ctnetVersion()).toBe(own.version);
  });
  it('passes over a package.json that only marks a directory\'s module type (dist/bundle/ has one)', () => {
    mkdirSync(join(dir, 'dist/bundle'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "name": "ctnet", "version": "9.9.9" }\n');
    writeFileSync(join(dir, 'dist/bundle/package.json'), '{ "type": "commonjs" }\n');
    expect(packageAbove(join(dir, 'dist/bundle'))).toEqual({ dir, manifest: { name: 'ctnet', version: '9.9.9' } });
    expect(packageAbove(dir).dir).toBe(dir);
  });
});
