// What makes ctnet safe to point at a host: foreign objects are never touched
// (and a foreign object in the way is an error before any change), a failed
// apply is undone completely, and kill -9 mid-apply leaves only ctnet's own
// objects, which the next apply converges.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, ping, sh } from '../helpers/sandbox.js';

const TOPO = `
version: 1
networks:
  n1: { subnet: 10.202.0.0/24, bridge_name: {P}b1 }
  n2: { subnet: 10.203.0.0/24, bridge_name: {P}b2 }
containers:
  x:
    netns: {P}x
    create: true
    networks: [n1, n2]
  y:
    netns: {P}y
    create: true
    networks: [n1]
`;

describe.skipIf(!isRoot)(rootTitle('safety'), () => {
  let sbx: Sandbox;
  let file: string;
  beforeEach(() => {
    sbx = new Sandbox('s').create();
    file = sbx.topology('t.yaml', TOPO);
    // The operator's own objects in the sandbox host: a bridge with an address, and a route.
    const h = sbx.hostNs;
    sh('ip', ['-n', h, 'link', 'add', 'userbr0', 'type', 'bridge']);
    sh('ip', ['-n', h, 'addr', 'add', '192.168.77.1/24', 'dev', 'userbr0']);
    // No IPv6 DAD on it: a link-local address still "tentative" at the first snapshot would
    // change by itself a moment later and make the byte-for-byte comparison flaky.
    sh('sysctl', ['-qw', 'net.ipv6.conf.userbr0.accept_dad=0'], { ns: h });
    sh('ip', ['-n', h, 'link', 'set', 'userbr0', 'up']);
    sh('ip', ['-n', h, 'route', 'add', '10.99.0.0/16', 'via', '192.168.77.254', 'proto', 'static']);
  });
  afterEach(() => sbx.destroy());

  it('leaves foreign links, addresses and routes byte-identical through apply and destroy', () => {
    const foreign = () => [
      // -d without the bridge timers, which tick by themselves
      sh('ip', ['-n', sbx.hostNs, '-j', '-d', 'link', 'show', 'userbr0']).stdout.replace(/"[a-z_]*_timer":[0-9.]+,?/g, ''),
      sh('ip', ['-n', sbx.hostNs, '-j', 'addr', 'show', 'userbr0']).stdout,
      sh('ip', ['-n', sbx.hostNs, '-j', 'route', 'show', '10.99.0.0/16']).stdout,
    ].join('\n');
    const before = foreign();
    expect(sbx.ctnet(['apply', '-f', file]).status).toBe(0);
    expect(ping(`${sbx.prefix}y`, '10.202.0.1')).toBe(true);
    expect(foreign()).toBe(before);
    expect(sbx.ctnet(['destroy']).status).toBe(0);
    expect(foreign()).toBe(before);
  });

  it('plan --destroy shows what destroy would remove, and changes nothing', () => {
    expect(sbx.ctnet(['apply', '-q', '-f', file]).status).toBe(0);
    const snap = sbx.snapshot();
    const r = sbx.ctnet(['plan', '--destroy', '--detailed-exitcode']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`- netns/${sbx.prefix}x`);
    expect(r.stdout).not.toContain('userbr0');
    expect(sbx.snapshot()).toBe(snap);
    expect(sbx.ctnet(['destroy']).status).toBe(0);
    const after = sbx.ctnet(['plan', '--destroy', '--detailed-exitcode']);
    expect(after.status).toBe(0);
    expect(after.stdout).toContain('Nothing to destroy');
  });

  it('refuses a topology whose bridge name is a foreign link, before any change', () => {
    const snap = sbx.snapshot();
    const clash = sbx.topology('clash.yaml', TOPO.replace('{P}b1', 'userbr0').replaceAll('{P}', sbx.prefix));
    const r = sbx.ctnet(['apply', '-f', clash]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/conflict.*userbr0/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(sbx.snapshot()).toBe(snap);
    expect(sbx.netnsList()).toEqual([]);
  });

  it('undoes every change when a step fails midway', () => {
    const snap = sbx.snapshot();
    const r = sbx.ctnet(['apply', '-f', file], { CTNET_FAIL_AT_STEP: '6' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('injected');
    expect(r.stderr).toContain('undone');
    expect(sbx.snapshot()).toBe(snap);
    expect(sbx.netnsList()).toEqual([]);
    // and a normal apply afterwards converges
    expect(sbx.ctnet(['apply', '-f', file]).status).toBe(0);
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
  });

  it.each([['text'], ['json']])('plans once more when the host changes under an apply (its bridge deleted by someone else), and says so (%s)', async (form) => {
    // Each operation 300 ms slower: the bridge is there well before anything is put on it.
    const child = sbx.spawnCtnet(['apply', '-f', file, ...(form === 'json' ? ['--json'] : [])], { CTNET_SLOW_STEP_MS: '300' });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    child.stdout!.on('data', (d) => { stdout += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let deleted = false;
    try {
      const br = `${sbx.prefix}b1`;
      for (let i = 0; i < 200 && sh('ip', ['-n', sbx.hostNs, 'link', 'show', br], { allowFail: true }).status !== 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sh('ip', ['-n', sbx.hostNs, 'link', 'del', br]).status).toBe(0);
      deleted = true;
    } finally {
      // A failure above must not leave the slowed apply making namespaces after the sandbox is gone.
      if (!deleted && child.exitCode === null) { child.kill('SIGKILL'); await exited; }
    }
    expect(await exited, stderr).toBe(0);
    if (form === 'text') {
      expect(stderr).toMatch(/^note: the host changed under the plan \(.*\): it was undone, read again and planned again$/m);
    } else {
      // --json: nothing but the one document, which says so too.
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toMatchObject({ result: 'converged', replanned: expect.stringMatching(/^the host changed under the plan \(.+\): it was undone, read again and planned again$/) });
    }
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
    expect(ping(`${sbx.prefix}y`, '10.202.0.1')).toBe(true);
  });

  it('converges after kill -9 in the middle of an apply', async () => {
    // Each operation takes 400 ms more: the apply's 7 phases take ~2.8 s, so at 1.2 s some are done and others not
    // (at 150 ms a phase, the whole apply could end before the kill once the table went into the veth phase).
    const child = sbx.spawnCtnet(['apply', '-f', file], { CTNET_SLOW_STEP_MS: '400' });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 1200)); // some steps done, others not
    expect(child.exitCode, 'the apply ended before it was killed: nothing was cut midway').toBeNull();
    child.kill('SIGKILL');
    await exited;
    const mid = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(mid.status).toBe(2); // partial state: only ctnet's own objects, more to do
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
    expect(ping(`${sbx.prefix}x`, '10.202.0.3')).toBe(true);
  });
});
