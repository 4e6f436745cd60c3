// The on-disk store of large topology files' values: exact round trips, only for the same text, never for a value
// JSON cannot carry, a bounded number of entries, nothing read from a file others may write.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, CORE_SCHEMA } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseYaml, type ValueStore } from '../spec/parse.js';
import { exactJson } from '../spec/checked.js';
import { checkedCache, KEEP, MIN_TEXT, valueCache } from './value-cache.js';

/** A topology text of n containers, larger than MIN_TEXT for n >= 200. */
const topology = (n: number, tag = '') =>
  `version: 1\nnetworks:\n  web: { subnet: 10.9.0.0/16 }\ncontainers:\n${Array.from({ length: n }, (_, i) =>
    `  c${i}${tag}: { netns: ns${i}, networks: { web: { ipv4_address: 10.9.${i >> 8}.${(i & 255) + 2} } }, ports: ["${20000 + i}:80"] }\n`).join('')}`;

describe('valueCache', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ctnet-values-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back exactly what was put, for that text only', () => {
    const store = valueCache(dir)!;
    const text = topology(300);
    expect(text.length).toBeGreaterThan(MIN_TEXT);
    const value = load(text, { schema: CORE_SCHEMA });
    expect(store.get(text)).toBeUndefined();
    store.put(text, value);
    expect(store.get(text)).toEqual(value);
    expect(store.get(text + ' ')).toBeUndefined();
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600); // the topology's content, for its writer only
    expect(store.get(topology(300, 'x'))).toBeUndefined();
  });

  it('keeps nothing of a small text', () => {
    const store = valueCache(dir)!;
    const text = topology(3);
    store.put(text, load(text));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses values JSON would change: infinities, NaN, -0', () => {
    expect(exactJson({ a: [1, 'x', null, true] })).toBe('{"a":[1,"x",null,true]}');
    for (const bad of [Infinity, -Infinity, NaN, -0]) expect(exactJson({ a: [bad] })).toBeUndefined();
    const store = valueCache(dir)!;
    const text = topology(300) + 'extra: .inf\n';
    store.put(text, load(text, { schema: CORE_SCHEMA }));
    expect(store.get(text)).toBeUndefined();
  });

  it(`keeps the newest ${KEEP} entries`, () => {
    const store = valueCache(dir)!;
    const texts = Array.from({ length: KEEP + 3 }, (_, i) => topology(200, `v${i}`));
    const t0 = Date.now() / 1000 - 3600;
    texts.forEach((t, i) => {
      const before = new Set(readdirSync(dir));
      store.put(t, { i });
      // each entry a minute younger than the one before, whatever the file system's time resolution
      for (const f of readdirSync(dir)) if (!before.has(f)) utimesSync(join(dir, f), t0 + 60 * i, t0 + 60 * i);
    });
    expect(readdirSync(dir)).toHaveLength(KEEP);
    expect(texts.map((t) => store.get(t) !== undefined)).toEqual(texts.map((_, i) => i >= 3));
  });

  it('reads no entry others may write', () => {
    const store = valueCache(dir)!;
    const text = topology(300);
    store.put(text, { ok: 1 });
    const [file] = readdirSync(dir);
    chmodSync(join(dir, file), 0o666);
    expect(store.get(text)).toBeUndefined();
  });
});

describe('checkedCache', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ctnet-checked-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const files = (tag = '', name = 'top.yaml') => [{ file: name, text: topology(300, tag) }, { file: 'more.yaml', text: 'version: 1\n' }];

  it('none without a directory or outside the bundle (no build)', () => {
    expect(checkedCache(undefined, 'b1')).toBeUndefined();
    expect(checkedCache(dir, undefined)).toBeUndefined();
  });

  it('gives back what was put for exactly these files and this build only', () => {
    const store = checkedCache(dir, 'b1')!;
    expect(store.get(files())).toBeUndefined();
    store.put(files(), () => '{"kept":1}');
    expect(store.get(files())).toBe('{"kept":1}');
    expect(store.get(files('x'))).toBeUndefined(); // another text
    expect(store.get(files('', 'other.yaml'))).toBeUndefined(); // another name
    expect(store.get(files().reverse())).toBeUndefined(); // another order
    expect(store.get(files().slice(0, 1))).toBeUndefined(); // fewer files
    expect(checkedCache(dir, 'b2')!.get(files())).toBeUndefined(); // another build
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^b1-checked-[0-9a-f]{64}$/); // removed with b1's code (code-cache.ts)
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
  });

  it('keeps nothing of small files', () => {
    const store = checkedCache(dir, 'b1')!;
    let made = 0;
    store.put([{ file: 't.yaml', text: topology(3) }], () => { made++; return '{}'; });
    expect(made).toBe(0); // not even made
    expect(readdirSync(dir)).toEqual([]);
  });

  it(`keeps the newest ${KEEP} of its build, and leaves other entries alone`, () => {
    const store = checkedCache(dir, 'b1')!;
    checkedCache(dir, 'b0')!.put(files('old'), () => '{}');
    valueCache(dir)!.put(topology(300), { v: 1 });
    const sets = Array.from({ length: KEEP + 2 }, (_, i) => files(`v${i}`));
    const t0 = Date.now() / 1000 - 3600;
    sets.forEach((fs, i) => {
      const before = new Set(readdirSync(dir));
      store.put(fs, () => `{"i":${i}}`);
      for (const f of readdirSync(dir)) if (!before.has(f)) utimesSync(join(dir, f), t0 + 60 * i, t0 + 60 * i);
    });
    expect(sets.map((fs) => store.get(fs) !== undefined)).toEqual(sets.map((_, i) => i >= 2));
    expect(readdirSync(dir).filter((f) => !f.startsWith('b1-'))).toHaveLength(2);
  });

  it('reads no entry others may write', () => {
    const store = checkedCache(dir, 'b1')!;
    store.put(files(), () => '{}');
    store.put(files('inexact'), () => undefined); // nothing JSON would give back exactly: nothing kept
    const [file] = readdirSync(dir);
    expect(readdirSync(dir)).toHaveLength(1);
    chmodSync(join(dir, file), 0o606);
    expect(store.get(files())).toBeUndefined();
  });
});

describe('parseYaml with a store', () => {
  const recording = (stored?: unknown) => {
    const puts: unknown[] = [];
    const store: ValueStore = { get: () => stored, put: (_t, v) => { puts.push(v); } };
    return { store, puts };
  };

  it('takes a stored value instead of parsing', () => {
    const { store, puts } = recording({ version: 1, from: 'store' });
    const p = parseYaml('t.yaml', 'version: 1\n', undefined, store);
    expect(p.value).toEqual({ version: 1, from: 'store' });
    expect(p.diagnostics).toEqual([]);
    expect(puts).toEqual([]);
  });

  it("offers js-yaml's value of a valid text, and nothing of a text with an alias or an error", () => {
    const { store, puts } = recording();
    const text = topology(5);
    expect(parseYaml('t.yaml', text, undefined, store).value).toEqual(load(text, { schema: CORE_SCHEMA }));
    expect(puts).toEqual([load(text, { schema: CORE_SCHEMA })]);
    parseYaml('t.yaml', 'a: &x { b: 1 }\nc: *x\n', undefined, store);
    parseYaml('t.yaml', 'a: [1,\n', undefined, store);
    expect(puts).toHaveLength(1);
  });
});
