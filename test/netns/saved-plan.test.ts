// Saved plans (TOPOLOGY.md): `plan --out` then `apply --plan` applies exactly the reviewed steps, and refuses
// (exit 1, "stale plan", nothing changed) when the host changed since the plan was made.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';

const topo = (extra = '') => `version: 1
networks: { n: { subnet: 10.246.0.0/24, bridge_name: {P}n } }
containers:
  a: { netns: {P}a, create: true, networks: [n] }
${extra}`;

describe.skipIf(!isRoot)(rootTitle('saved plans'), () => {
  const sbx = new Sandbox('p');
  beforeAll(() => { sbx.create(); });
  afterAll(() => sbx.destroy());
  const plan = (file: string, out: string) => sbx.ctnet(['plan', '-f', file, '--out', out]);

  it('applies exactly the saved plan, then refuses it as stale (its own apply changed the host)', () => {
    const f = sbx.topology('t.yaml', topo());
    const p = join(sbx.dir, 'p.json');
    const r = plan(f, p);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`ctnet apply --plan ${p}`);
    const a = sbx.ctnet(['apply', '--plan', p]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/Applied \d+ step\(s\) of .*p\.json .* verified/);
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', f]).status).toBe(0);
    expect(ping(`${sbx.prefix}a`, '10.246.0.1')).toBe(true);
    const again = sbx.ctnet(['apply', '--plan', p]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`stale plan: the host changed since ${p} was made`);
  });

  it('refuses a plan made before someone changed the host, changing nothing', () => {
    const f = sbx.topology('t2.yaml', topo(`  b: { netns: {P}b, create: true, networks: [n] }\n`));
    const p = join(sbx.dir, 'p2.json');
    expect(plan(f, p).status).toBe(0);
    // Drift after review; one with no asynchronous consequences in the kernel (a link set down would make
    // the bridge lose carrier a moment later, which the snapshot below could race).
    sh('ip', ['-n', `${sbx.prefix}a`, 'route', 'del', 'default']);
    const snap = sbx.snapshot();
    const inA = sbx.snapshot(`${sbx.prefix}a`);
    const nsBefore = sbx.netnsList();
    const r = sbx.ctnet(['apply', '--plan', p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stale plan');
    expect(r.stderr).toContain('Nothing was changed.');
    expect(sbx.snapshot()).toBe(snap);
    expect(sbx.snapshot(`${sbx.prefix}a`)).toBe(inA);
    expect(sbx.netnsList()).toEqual(nsBefore);
  });

  it('a file that is not a saved plan is a clear error', () => {
    const p = join(sbx.dir, 'junk.json');
    writeFileSync(p, '{"steps": []}');
    const r = sbx.ctnet(['apply', '--plan', p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not a plan written by `ctnet plan --out`');
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
