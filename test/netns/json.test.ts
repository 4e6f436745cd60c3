// JSON everywhere (issue 14): `plan --json`, `apply --json` and `destroy --json` write one JSON document on
// stdout whatever happens (converged, nothing to do, a conflict, invalid files), saying which ctnet wrote it,
// for which project, with the warnings; nothing else is printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';

const TOPO = `version: 1
name: {P}j
networks: { n: { subnet: 10.247.1.0/24, bridge_name: {P}n } }
containers:
  a: { netns: {P}a, create: true, networks: [n], ports: ["8090:80"] }
`;

describe.skipIf(!isRoot)(rootTitle('JSON documents of plan, apply and destroy'), () => {
  const sbx = new Sandbox('js');
  let file = '';
  const run = (args: string[]) => {
    const r = sbx.ctnet(args);
    expect(r.stderr).toBe('');
    return { status: r.status, doc: JSON.parse(r.stdout) };
  };
  beforeAll(() => { sbx.create(); file = sbx.topology('t.yaml', TOPO); });
  afterAll(() => sbx.destroy());

  it('plan --json carries the version, project, host and warnings', () => {
    const { status, doc } = run(['plan', '--json', '-f', file]);
    expect(status).toBe(0);
    expect(doc).toMatchObject({ formatVersion: 1, ctnetVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), project: `${sbx.prefix}j`, host: null, warnings: [] });
    expect(doc.changes.create).toBeGreaterThan(0);
  });

  it('apply --json: converged with its steps and duration, then no-changes', () => {
    const first = run(['apply', '--json', '-f', file]);
    expect(first.status).toBe(0);
    expect(first.doc).toMatchObject({ result: 'converged', project: `${sbx.prefix}j`, conflicts: [] });
    expect(first.doc.done).toBe(first.doc.steps.length);
    expect(first.doc.durationMs).toBeGreaterThan(0);
    expect(run(['apply', '--json', '-f', file]).doc).toMatchObject({ result: 'no-changes', done: 0, steps: [] });
  });

  it('apply --json of a conflict or of invalid files: exit 1 and a document that says why', () => {
    sh('ip', ['-n', sbx.hostNs, 'link', 'add', `${sbx.prefix}u`, 'type', 'bridge']);
    const clash = sbx.topology('c.yaml', `version: 1\nname: {P}k\nnetworks: { m: { subnet: 10.247.2.0/24, bridge_name: {P}u } }\n`);
    const c = run(['apply', '--json', '-f', clash]);
    expect(c.status).toBe(1);
    expect(c.doc).toMatchObject({ result: 'conflict', done: 0 });
    expect(c.doc.conflicts[0].message).toContain(`"${sbx.prefix}u"`);
    const bad = sbx.topology('bad.yaml', 'version: 1\nnetworks: { m: { subnet: 10.247.3.0/24, gateway: 10.9.9.9 } }\n');
    const b = run(['apply', '--json', '-f', bad]);
    expect(b.status).toBe(1);
    expect(b.doc).toMatchObject({ result: 'invalid', project: null });
    expect(b.doc.diagnostics[0]).toMatchObject({ path: 'networks.m.gateway', line: 2 });
  });

  it('destroy --json: per project, the steps done', () => {
    const { status, doc } = run(['destroy', '--json', '-p', `${sbx.prefix}j`]);
    expect(status).toBe(0);
    expect(doc).toMatchObject({ formatVersion: 1, result: 'destroyed', projects: [{ project: `${sbx.prefix}j`, failed: [] }] });
    expect(doc.projects[0].done).toBeGreaterThan(0);
    expect(run(['destroy', '--json', '-p', `${sbx.prefix}j`]).doc).toMatchObject({ result: 'no-changes', projects: [] });
  });
});
