import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology } from './index.js';
import { loadFiles } from './load.js';
import { mergeFiles } from './merge.js';
import { parseYaml } from './parse.js';
import { locate } from './source.js';

describe('parseYaml', () => {
  const text = 'version: 1\nnetworks:\n  web:\n    subnet: 10.0.0.0/24\n    gateway:\n    allow_from: [a, b]\n';
  const p = parseYaml('t.yaml', text);
  it('locates scalars at their value and maps at their key', () => {
    expect(locate(p.sources, ['networks', 'web', 'subnet'])).toMatchObject({ line: 4, col: 13 });
    expect(locate(p.sources, ['networks', 'web'])).toMatchObject({ line: 3, col: 3 });
    expect(locate(p.sources, ['networks', 'web', 'allow_from', 1])).toMatchObject({ line: 6, col: 21 });
  });
  it('points an empty value at its key, and a missing node at its nearest parent', () => {
    expect(locate(p.sources, ['networks', 'web', 'gateway'])).toMatchObject({ line: 5, col: 5 });
    expect(locate(p.sources, ['networks', 'web', 'mtu'])).toMatchObject({ line: 3, col: 3, path: 'networks.web.mtu' });
  });
  it('turns syntax errors and duplicate keys into positioned diagnostics', () => {
    const bad = parseYaml('t.yaml', 'a: 1\na: 2\n');
    expect(bad.diagnostics[0]).toMatchObject({ severity: 'error', file: 't.yaml', line: 2, col: 1 });
    expect(bad.diagnostics[0].message).toMatch(/duplicate key "a"/);
  });
});

describe('mergeFiles', () => {
  it('rejects different versions, naming the other file', () => {
    const a = parseYaml('a.yaml', 'version: 1\n'), b = parseYaml('b.yaml', 'version: 2\n');
    const m = mergeFiles([a, b]);
    expect(m.diagnostics[0]).toMatchObject({ file: 'b.yaml', path: 'version' });
    expect(m.diagnostics[0].message).toMatch(/differs from version 1 in a\.yaml/);
  });
  it('merges map by map, keeping each entry\'s own file position', () => {
    const a = parseYaml('a.yaml', 'version: 1\nnetworks:\n  x: { subnet: 10.1.0.0/24 }\n');
    const b = parseYaml('b.yaml', 'networks:\n  y: { subnet: 10.2.0.0/24 }\n');
    const m = mergeFiles([a, b]);
    expect(Object.keys(m.raw.networks!)).toEqual(['x', 'y']);
    expect(locate(m.sources, ['networks', 'y', 'subnet'])).toMatchObject({ file: 'b.yaml', line: 2 });
    expect(m.diagnostics).toEqual([]);
  });
  it('requires a version in some file', () => {
    expect(mergeFiles([parseYaml('a.yaml', 'networks: {}\n')]).diagnostics[0].message).toMatch(/version/);
  });
});

describe('loadFiles / loadTopology', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ctnet-spec-'));
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'd', '20-containers.yml'), 'containers:\n  c: { netns: c, networks: [web] }\n');
    await writeFile(join(dir, 'd', '10-networks.yaml'), 'version: 1\nnetworks:\n  web: { subnet: 10.9.0.0/24 }\n');
    await writeFile(join(dir, 'd', 'notes.txt'), 'ignored');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('expands a directory into its yaml files in name order', async () => {
    const r = await loadFiles([join(dir, 'd')]);
    expect(r.files.map((f) => f.file)).toEqual([join(dir, 'd', '10-networks.yaml'), join(dir, 'd', '20-containers.yml')]);
    const t = await loadTopology([join(dir, 'd')]);
    expect(t.diagnostics).toEqual([]);
    expect([...t.topology!.containers.keys()]).toEqual(['c']);
  });
  it('reports a missing file with the path as given', async () => {
    const r = await loadTopology(['nope/topology.yaml']);
    expect(r.topology).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', file: 'nope/topology.yaml', message: 'cannot read: no such file or directory' });
  });
});
