import fc from 'fast-check';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadChunked, type ChunkCache } from './yaml-chunks.js';

const whole = (text: string) => load(text, { schema: CORE_SCHEMA });

/** Read `text` with `cache`; returns the value and the cache for the next read. */
function read(text: string, cache: ChunkCache = new Map()): { value: unknown; next: ChunkCache } {
  const next: ChunkCache = new Map();
  return { value: loadChunked(text, cache, next), next };
}

// Entries in the shapes users write them: flow maps, nested block maps, lists, comments, blank lines,
// quoted and multi-line values.
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const scalar = fc.oneof(fc.integer({ min: 0, max: 70000 }).map(String), fc.constantFrom('true', 'false', 'null', '"x y"', "'q'", 'a-b', '10.0.0.1', '~'));
const body = fc.oneof(
  fc.tuple(name, scalar).map(([k, v]) => ` { ${k}: ${v} }`),
  fc.tuple(name, scalar, name).map(([k, v, k2]) => `\n    ${k}: ${v}\n    # note\n    ${k2}x:\n      - ${v}\n      - b`),
  fc.tuple(name, scalar).map(([k, v]) => `\n    ${k}: ${v}\n\n    ${k}y: |\n      line one\n      # not a comment\n`),
  fc.tuple(name, name).map(([a, b]) => ` { ${a}: [1, 2],\n      ${b}z: "two\n      lines" }`),
  fc.tuple(name, name).map(([a, b]) => `\n    ${a}: |+\n      kept\n\n    ${b}w: >-\n      folded\n      text\n\n# between\n`),
  fc.constant(''),
);
const section = (key: string) => fc.uniqueArray(fc.tuple(name, body), { selector: ([n]) => n, minLength: 1, maxLength: 8 })
  .map((entries) => `${key}:\n${entries.map(([n, b]) => `  ${n}:${b}`).join('\n')}\n`);
const topology = fc.tuple(section('networks'), section('containers'), fc.boolean())
  .chain(([n, c, comment]) => fc.constantFrom('', '\n', '\n\n', '\n# end', '\n  # end').map((end) => `version: 1\n${comment ? '# a comment\n\n' : ''}${n}${c}`.replace(/\n$/, end)));

describe('loadChunked', () => {
  it('reads exactly what js-yaml reads of the whole text, for every text and after every edit', () => {
    fc.assert(fc.property(topology, topology, topology, (a, b, c) => {
      let cache: ChunkCache = new Map();
      for (const text of [a, b, a, c, a]) { // edits back and forth: cached entries are reused
        const r = read(text, cache);
        let expected: unknown;
        try { expected = whole(text); } catch { expected = undefined; } // not YAML: left to the whole-file reader
        expect(r.value).toEqual(expected);
        if (r.value !== undefined) cache = r.next;
      }
    }), { numRuns: 300 });
  });

  it('an entry whose text did not change is not parsed again (its value is the one read before)', () => {
    const a = 'version: 1\nnetworks:\n  web: { subnet: 10.1.0.0/16 }\ncontainers:\n  c1: { networks: { web: {} } }\n  c2: { netns: x }\n';
    const b = a.replace('netns: x', 'netns: y') + '  c3: {}\n';
    const first = read(a);
    const second = read(b, first.next) as { value: { containers: Record<string, unknown>; networks: Record<string, unknown> } };
    const v1 = first.value as typeof second.value;
    expect(second.value).toEqual(whole(b));
    expect(second.value.containers.c1).toBe(v1.containers.c1);
    expect(second.value.networks.web).toBe(v1.networks.web);
    expect(second.value.containers.c2).not.toBe(v1.containers.c2);
    expect(second.next.size).toBe(4); // the cache holds this text's entries only
  });

  it('the same text in two sections is two values', () => {
    const r = read('networks:\n  a: { x: 1 }\ncontainers:\n  a: { x: 1 }\n').value as Record<string, Record<string, unknown>>;
    expect(r.networks.a).toEqual(r.containers.a);
    expect(r.networks.a).not.toBe(r.containers.a);
  });

  it.each([
    ['anchors and aliases', 'networks:\n  a: &n { x: 1 }\ncontainers:\n  b: *n\n'],
    ['merge keys', 'networks:\n  a: { <<: *x }\n'],
    ['tags', 'networks:\n  a: !!str 1\n'],
    ['a duplicate entry (js-yaml reports it for the whole file)', 'networks:\n  a: {}\n  a: {}\n'],
    ['a list where entries are expected', 'networks:\n  - a\n  - b\n'],
    ['a dedent inside a section', 'networks:\n    a: 1\n  b: 2\n'],
    ['CRLF line ends', 'networks:\r\n  a: {}\r\n'],
    ['several documents', 'networks:\n  a: {}\n---\nnetworks:\n  b: {}\n'],
    ['an entry named __proto__', 'networks:\n  __proto__: { x: 1 }\n'],
    ['no section at all', 'version: 1\n'],
    ['a broken entry', 'networks:\n  a: { x: 1\n'],
  ])('leaves %s to the whole-file reader', (_what, text) => {
    expect(read(text).value).toBeUndefined();
  });
});
