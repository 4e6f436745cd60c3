// The checked topology kept between runs (src/spec/checked.ts, src/cli/value-cache.ts): a `plan` of large files
// that did not change takes the check of the run before and says exactly what a check of the texts says (the
// warning with its position included); an edit is checked anew; an invalid file is never kept.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle } from '../helpers/sandbox.js';

/** 300 containers (over value-cache.ts's MIN_TEXT); `subnet` as written (host bits set: a warning at 4:21). */
const topology = (subnet: string) => `version: 1
name: {P}k
networks:
  n: { subnet: ${subnet}, bridge_name: {P}n }
containers:
${Array.from({ length: 300 }, (_, i) => `  c${i}: { netns: {P}c${i}, create: true, networks: [n], ports: ["${21000 + i}:80"] }\n`).join('')}`;

describe.skipIf(!isRoot)(rootTitle('checked topologies kept between runs'), () => {
  const sbx = new Sandbox('ck');
  let file = '', cache = '';
  const plan = (...more: string[]) => sbx.ctnet(['plan', ...more, '-f', file], { CTNET_CACHE_DIR: cache });
  const kept = () => readdirSync(cache).filter((f) => f.includes('-checked-'));
  beforeAll(() => {
    sbx.create();
    cache = join(sbx.dir, 'cache');
    file = sbx.topology('t.yaml', topology('10.246.1.9/16'));
  });
  afterAll(() => sbx.destroy());

  it('a second plan of the same files says the same, from what the first kept', () => {
    const first = plan();
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/warning: .*t\.yaml:4:16: networks\.n\.subnet: 10\.246\.1\.9\/16 has host bits set/);
    expect(kept()).toHaveLength(1);
    const second = plan();
    expect(second).toEqual(first);
    // It was read: what is kept is what the next run says (the file is root's and no one else's to write).
    const entry = join(cache, kept()[0]);
    writeFileSync(entry, readFileSync(entry, 'utf8').replace(`"project":"${sbx.prefix}k"`, '"project":"from-the-cache"'));
    expect(JSON.parse(plan('--json').stdout).project).toBe('from-the-cache');
  });

  it('an edited file is checked again; an invalid one is reported with its position and not kept', () => {
    writeFileSync(file, topology('10.246.0.0/16').replaceAll('{P}', sbx.prefix));
    const edited = plan('--json');
    expect(edited.status).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ project: `${sbx.prefix}k`, warnings: [] });
    expect(kept()).toHaveLength(2);
    writeFileSync(file, topology('10.246.0.0/33').replaceAll('{P}', sbx.prefix));
    const invalid = plan();
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/error: .*t\.yaml:4:16: networks\.n\.subnet/);
    expect(kept()).toHaveLength(2);
  });
});
