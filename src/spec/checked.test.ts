// A checked topology kept as JSON (spec/checked.ts) must come back as the very topology and diagnostics checking the
// texts gives: every example and every valid golden validate case (one or several files, with warnings), compared
// field by field, positions included; and checkRead must take it from a store only for exactly those files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../errors.js';
import { checkedFromJson, checkedToJson } from './checked.js';
import { checkRead, checkTexts, type CheckedStore, type Topology } from './index.js';

const root = join(import.meta.dirname, '../..');
type Texts = { file: string; text: string }[];

const read = (dir: string, f: string) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') });
const yamlIn = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile()).sort();
const subdirs = (dir: string) => readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort();

/** Sets of files checked together: each example, golden topology and fuzz corpus file alone, each golden validate
 *  case's files, and two sets of several files. */
function inputSets(): { name: string; texts: Texts }[] {
  const alone = (dir: string) => yamlIn(dir).map((f) => ({ name: join(dir, f), texts: [read(dir, f)] }));
  const golden = join(root, 'test/golden');
  const validate = subdirs(join(golden, 'validate')).map((d) => join(golden, 'validate', d));
  const several = [
    { name: 'two files', texts: [
      { file: 'a.yaml', text: 'version: 1\nname: shop\nnetworks:\n  web: { subnet: 10.1.0.0/16, host: h1 }\npeers:\n  far: { via: 192.168.1.9, subnets: [10.9.0.0/16] }\n' },
      { file: 'b.yaml', text: 'version: 1\nname: shop\nhosts:\n  h1: { address: 192.168.1.1 }\ncontainers:\n  a: { netns: a, host: h1, networks: { web: { ipv4_address: 10.1.0.9 } } }\n' },
    ] },
    { name: 'an example in two', texts: [read(join(root, 'examples'), 'multi-host.yaml'), { file: 'more.yaml', text: 'version: 1\nnetworks:\n  extra: { subnet: 10.7.0.1/24 }\n' }] },
  ];
  return [
    ...alone(join(root, 'examples')),
    ...['plan', 'nft', 'compose'].flatMap((g) => subdirs(join(golden, g)).flatMap((d) => alone(join(golden, g, d)))),
    ...alone(join(root, 'test/fuzz/corpus')),
    ...validate.map((dir) => ({ name: dir, texts: yamlIn(dir).map((f) => read(dir, f)) })),
    ...several,
  ];
}

const pos = (r: { file: string; line: number; col: number; path: string }) => ({ file: r.file, line: r.line, col: r.col, path: r.path });
/** Everything a topology holds, positions resolved (what compile and diagnostics read of it). */
function plain(t: Topology) {
  const withPos = <T extends { src: { file: string; line: number; col: number; path: string } }>(m: Map<string, T>) =>
    [...m].map(([k, v]) => [k, { ...v, src: pos(v.src) }]);
  return {
    ...t,
    networks: withPos(t.networks), peers: withPos(t.peers), hosts: withPos(t.hosts),
    containers: [...t.containers],
    sources: [...t.sources].map(([k, v]) => [k, pos(v)]),
  };
}

describe('checkedToJson and checkedFromJson', () => {
  const sets = inputSets().map((s) => ({ ...s, checked: checkTexts(s.texts) })).filter((s) => s.checked.topology);

  it('give back every valid input set exactly, positions and warnings included', () => {
    expect(sets.length).toBeGreaterThan(30);
    expect(sets.some((s) => s.texts.length > 1)).toBe(true);
    expect(sets.some((s) => s.checked.diagnostics.length > 0)).toBe(true);
    expect(sets.some((s) => s.checked.topology!.peers.size > 0 && s.checked.topology!.hosts.size > 0)).toBe(true);
    for (const { name, texts, checked } of sets) {
      const json = checkedToJson(checked.topology!, checked.diagnostics);
      expect(json, name).toBeDefined();
      const back = checkedFromJson(json!, texts)!;
      expect(back.diagnostics, name).toEqual(checked.diagnostics);
      expect(plain(back.topology), name).toEqual(plain(checked.topology!));
    }
  });

  it('finds positions only when asked (no parse with positions for a valid input read back)', () => {
    const { texts, checked } = sets.find((s) => s.name.endsWith('/multi-host.yaml'))!;
    const back = checkedFromJson(checkedToJson(checked.topology!, checked.diagnostics)!, texts)!;
    const [net] = back.topology.networks.values();
    expect(net.src.path).toBe(`networks.${net.name}`); // the path is known without a position
    expect(pos(net.src)).toEqual(pos(checked.topology!.networks.get(net.name)!.src));
  });

  it('is not read for other file names, another count of files or another format', () => {
    const { texts, checked } = sets.find((s) => s.texts.length > 1)!;
    const json = checkedToJson(checked.topology!, checked.diagnostics)!;
    expect(checkedFromJson(json, texts.map((t) => ({ ...t, file: `x/${t.file}` })))).toBeUndefined();
    expect(checkedFromJson(json, texts.slice(1))).toBeUndefined();
    expect(checkedFromJson(json.replace('"format":1', '"format":2'), texts)).toBeUndefined();
  });
});

describe('checkRead with a store of checked topologies', () => {
  const text = 'version: 1\nnetworks:\n  web: { subnet: 10.1.2.3/16 }\ncontainers:\n  a: { netns: a, networks: [web] }\n';
  const files = [{ file: 'top.yaml', text }];
  const memory = () => {
    const kept = new Map<string, string>();
    const key = (fs: readonly { file: string; text: string }[]) => JSON.stringify(fs);
    const store: CheckedStore & { puts: number; gets: number } = {
      puts: 0, gets: 0,
      get(fs) { store.gets++; return kept.get(key(fs)); },
      put(fs, json) { store.puts++; const j = json(); if (j !== undefined) kept.set(key(fs), j); },
    };
    return { store, kept };
  };

  it('keeps a valid check, warnings included, and answers the same files from it', () => {
    const { store, kept } = memory();
    const first = checkRead({ files, diagnostics: [] }, undefined, undefined, store);
    expect(first.diagnostics.map((d) => d.severity)).toEqual(['warning']); // host bits set
    expect(store.puts).toBe(1);
    // What is answered is what was kept: change the kept project name, and the answer says so.
    const [k, json] = [...kept][0];
    kept.set(k, json.replace('"project":"default"', '"project":"from-store"'));
    const second = checkRead({ files, diagnostics: [] }, undefined, undefined, store);
    expect(second.topology!.project).toBe('from-store');
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(store.puts).toBe(1);
  });

  it('never keeps a check with errors, and checks again when what is kept is unreadable', () => {
    const { store, kept } = memory();
    const bad = [{ file: 'top.yaml', text: 'version: 1\nnetworks:\n  web: { subnet: 10.1.0.0/16, gateway: 10.2.0.1 }\n' }];
    const r = checkRead({ files: bad, diagnostics: [] }, undefined, undefined, store);
    expect(r.topology).toBeUndefined();
    expect(store.puts).toBe(0);
    kept.set(JSON.stringify(files), '{"format":1,'); // cut short
    const again = checkRead({ files, diagnostics: [] }, undefined, undefined, store);
    expect(again.topology!.networks.get('web')!.subnet).toBe('10.1.0.0/16');
    expect(store.puts).toBe(1); // checked, and kept again
  });

  it('asks no store when the files could not be read', () => {
    const { store } = memory();
    const read: Diagnostic = { severity: 'error', file: 'x.yaml', path: '', message: 'cannot read' };
    expect(checkRead({ files: [], diagnostics: [read] }, undefined, undefined, store).diagnostics).toEqual([read]);
    expect(store.gets + store.puts).toBe(0);
  });
});
