import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeFileIn, runCached, trusted, trustedDir } from './code-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'ctnet-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS file whose functions are compiled only when called (V8 compiles lazily). */
function program(name: string): string {
  const file = join(dir, name);
  const fns = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x.map((y) => y * ${i} + 1).join(','); }`);
  writeFileSync(file, `${fns.join('\n')}\nglobalThis.__ran = (globalThis.__ran ?? 0) + 1;\nglobalThis.__out = [${fns.map((_, i) => `f${i}([1, 2])`).join(', ')}].length;\nglobalThis.__file = __filename;\n`);
  return file;
}
/** The cache file of `command` in `d` as the executable finds it (bin.ts): none where the directory is not trusted. */
function cacheFile(d: string, build: string, command: string): string | undefined {
  const dir = trustedDir(d);
  return dir === undefined ? undefined : codeFileIn(dir, build, command);
}
const g = globalThis as { __ran?: number; __out?: number; __file?: string };

describe('the code cache of a command', () => {
  it('is written by a run without one, then taken by the next, which runs the same', () => {
    const file = program('cli.js');
    const cache = cacheFile(join(dir, 'cache'), 'b1', 'apply')!;
    expect(cache).toMatch(new RegExp(`^${join(dir, 'cache')}/b1-${process.version}-${process.arch}-[0-9a-f]+-apply$`));
    const first = runCached(file, cache, 'b1');
    expect(first.hit).toBe(false);
    expect([g.__ran, g.__out, g.__file]).toEqual([1, 50, file]);
    expect(first.save()).toBe(true);
    const second = runCached(file, cache, 'b1');
    expect(second.hit).toBe(true);
    expect([g.__ran, g.__out]).toEqual([2, 50]);
    expect(second.save()).toBe(false); // it came from the file: nothing to write
  });

  it('a damaged cache file is not taken; the run is the same and writes it again', () => {
    const file = program('cli2.js');
    const cache = cacheFile(join(dir, 'cache2'), 'b1', 'plan')!;
    writeFileSync(cache, 'not V8 code');
    const run = runCached(file, cache, 'b1');
    expect(run.hit).toBe(false);
    expect(g.__out).toBe(50);
    expect(run.save()).toBe(true);
    expect(runCached(file, cache, 'b1').hit).toBe(true);
  });

  it('a new build\'s first save removes the files of other builds, not those of this build on another runtime', () => {
    const file = program('cli3.js');
    const d = join(dir, 'cache3');
    const old = cacheFile(d, 'old', 'apply')!;
    runCached(file, old, 'old').save();
    const now = cacheFile(d, 'new', 'apply')!;
    const otherNode = join(d, 'new-v0.0.0-x64-1-apply');
    writeFileSync(otherNode, 'cache of this build made by another Node');
    expect(runCached(file, now, 'new').save()).toBe(true);
    expect(readdirSync(d).sort()).toEqual([basename(now), basename(otherNode)].sort());
    rmSync(otherNode);
    expect(readdirSync(d)).toEqual([basename(now)]);
    expect(existsSync(old)).toBe(false);
  });

  it("a new build's first save keeps the topology values, and its own checked topologies only", () => {
    const d = join(dir, 'cache5');
    const now = cacheFile(d, 'new', 'plan')!;
    for (const f of ['values-1', 'old-checked-1', 'new-checked-1']) writeFileSync(join(d, f), '{}');
    expect(runCached(program('cli5.js'), now, 'new').save()).toBe(true);
    expect(readdirSync(d).sort()).toEqual([basename(now), 'new-checked-1', 'values-1'].sort());
  });

  it('none in a directory others may write, or when turned off', () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(cacheFile(open, 'b1', 'apply')).toBeUndefined();
    expect(cacheFile('', 'b1', 'apply')).toBeUndefined();
    const run = runCached(program('cli4.js'), undefined, 'b1');
    expect(run.hit).toBe(false);
    expect(run.save()).toBe(false);
  });

  it('trusts what root or this user owns and no one else may write', () => {
    expect(trusted({ uid: 0, mode: 0o40755 }, 1000)).toBe(true);
    expect(trusted({ uid: 1000, mode: 0o100644 }, 1000)).toBe(true);
    expect(trusted({ uid: 1001, mode: 0o40755 }, 1000)).toBe(false);
    expect(trusted({ uid: 0, mode: 0o40775 }, 1000)).toBe(false);
    expect(trusted({ uid: 0, mode: 0o100646 }, 1000)).toBe(false);
  });
});
