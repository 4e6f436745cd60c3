// Containers given by `pid:` (a process's network namespace, as a runtime
// would have it) and by an absolute netns path: ctnet attaches them without
// owning the namespace, and destroy leaves the process's namespace alive.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { addNetns, isRoot, rootTitle, sh } from '../helpers/sandbox.js';

describe.skipIf(!isRoot)(rootTitle('pid and path namespaces'), () => {
  const sbx = new Sandbox('p');
  let proc: ChildProcess;
  let file = '';
  const pingFrom = (nsPath: string, addr: string) =>
    sh('nsenter', [`--net=${nsPath}`, 'ping', '-c1', '-W1', addr], { allowFail: true }).status === 0;

  beforeAll(async () => {
    sbx.create();
    // A "container" process in a namespace of its own that nobody named.
    proc = spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    addNetns(`${sbx.prefix}byp`);
    file = sbx.topology('t.yaml', `
version: 1
networks:
  n: { subnet: 10.206.0.0/24 }
containers:
  byproc:
    pid: ${proc.pid}
    networks: { n: { ipv4_address: 10.206.0.20 } }
  bypath:
    netns: /run/netns/{P}byp
    networks: { n: { ipv4_address: 10.206.0.21 } }
`);
  });
  afterAll(() => {
    proc?.kill('SIGKILL');
    sbx.destroy();
  });

  it('attaches both, and they reach each other', () => {
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // `sleep` is the child of unshare (which execs it): its pid is the namespace owner.
    expect(pingFrom(`/proc/${proc.pid}/ns/net`, '10.206.0.21')).toBe(true);
    expect(pingFrom(`/run/netns/${sbx.prefix}byp`, '10.206.0.20')).toBe(true);
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
  });

  it('a container whose process is gone waits, and blocks nothing else (issue 13)', async () => {
    const gone = spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const two = sbx.topology('two.yaml', readFileSync(file, 'utf8') + `  gone:\n    pid: ${gone.pid}\n    networks: { n: { ipv4_address: 10.206.0.22 } }\n`);
    expect(sbx.ctnet(['apply', '-f', two]).status).toBe(0);
    gone.kill('SIGKILL');
    await new Promise((r) => gone.on('exit', r));
    // Drift on a container that is still there is repaired in the same apply.
    sh('ip', ['-n', `${sbx.prefix}byp`, 'addr', 'flush', 'dev', 'eth0']);
    const r = sbx.ctnet(['apply', '-f', two]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`waiting: container "gone": process ${gone.pid} is gone; it is attached when it runs again`);
    expect(r.stdout).toContain('verified: the kernel matches the topology, but for 1 waiting container.');
    expect(pingFrom(`/proc/${proc.pid}/ns/net`, '10.206.0.21')).toBe(true);
    expect(sbx.ctnet(['plan', '-f', two, '--detailed-exitcode']).status).toBe(0);
  });

  it('destroy detaches them but never deletes namespaces it did not create', () => {
    expect(sbx.ctnet(['destroy']).status).toBe(0);
    expect(sh('nsenter', [`--net=/proc/${proc.pid}/ns/net`, 'ip', '-j', 'link']).stdout).not.toContain('eth0');
    expect(sbx.netnsList()).toContain(`${sbx.prefix}byp`);
  });
});
