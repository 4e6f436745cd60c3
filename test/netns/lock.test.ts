// One writer at a time (TOPOLOGY.md; RELIABILITY-DEFECTS D16): a second apply waits for the first and, past
// --lock-timeout, fails naming it, having changed nothing; a killed holder leaves no lock; while `ctnet watch`
// manages a project, apply and destroy of it refuse, naming the daemon; a second daemon for it is refused
// (projects: test/netns/projects.test.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, sleep } from './watch-daemon.js';

// A lock held the way an earlier ctnet holds it, on another Node version: Node 20 and 22 bind an abstract name
// padded with NULs to the whole sun_path, Node 24 binds it exactly. Answers each asker with `holder`.
const OTHER_HOLDER = "import socket, sys\n"
  + "name = b'\\0' + sys.argv[1].encode()\n"
  + "if sys.argv[2] == 'padded': name = name.ljust(108, b'\\0')\n"
  + "s = socket.socket(socket.AF_UNIX); s.bind(name); s.listen(8); print('ready', flush=True)\n"
  + "while True:\n    c, _ = s.accept(); c.sendall(sys.argv[3].encode() + b'\\n'); c.close()\n";
// Asks a lock in one form of its name, as an earlier ctnet on that Node version would: the answer, or why not.
const OTHER_ASKER = "import socket, sys\n"
  + "name = b'\\0' + sys.argv[1].encode()\n"
  + "if sys.argv[2] == 'padded': name = name.ljust(108, b'\\0')\n"
  + "s = socket.socket(socket.AF_UNIX)\n"
  + "try: s.connect(name)\nexcept OSError as e: raise SystemExit(str(e))\n"
  + "s.settimeout(2); print(s.makefile().read(), end='')\n";
const FORMS = ['exact', 'padded'] as const;

const topo = (net: string, n: number) => `version: 1
networks: { ${net}: { subnet: 10.245.${n}.0/24, bridge_name: {P}${net} } }
containers:
${[1, 2, 3, 4].map((i) => `  ${net}${i}: { netns: {P}${net}${i}, create: true, networks: [${net}] }`).join('\n')}
`;

describe.skipIf(!isRoot)(rootTitle('one writer at a time'), () => {
  let sbx: Sandbox;
  beforeEach(() => { sbx = new Sandbox('l').create(); });
  afterEach(() => sbx.destroy());

  it('a second apply waits for the first; past --lock-timeout it fails naming the holder and changes nothing', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    const b = sbx.topology('b.yaml', topo('nb', 2));
    const slow = sbx.spawnCtnet(['apply', '-q', '-f', a], { CTNET_SLOW_STEP_MS: '250' }); // holds the lock ~2 s (7 phases)
    await sleep(500);
    const refused = sbx.ctnet(['apply', '-q', '-f', b, '--lock-timeout', '0.3']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`another ctnet \\(pid ${slow.pid}: ctnet apply -q -f \\S+a\\.yaml\\) is changing this host; waited 0\\.3 s`));
    expect(refused.stderr).toContain('Nothing was changed.');
    // A patient one waits, then applies on top of the finished first (no interleaving: both verify).
    const waited = sbx.ctnet(['apply', '-q', '-f', b]);
    const [code] = await once(slow, 'exit');
    expect(code).toBe(0);
    expect(waited.status, waited.stderr).toBe(0);
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', b]).status).toBe(0);
    expect(ping(`${sbx.prefix}nb1`, '10.245.2.1')).toBe(true);
  });

  it('a holder asked by someone who hangs up at once carries on (its answer going nowhere is no error)', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    const slow = sbx.spawnCtnet(['apply', '-q', '-f', a], { CTNET_SLOW_STEP_MS: '150' });
    let stderr = '';
    slow.stderr?.on('data', (d) => { stderr += String(d); });
    await sleep(400);
    // Connect to the held lock and close before the holder writes who it is: its write then fails (EPIPE). The
    // name as bound, from /proc/net/unix (Node 20 and 22 pad an abstract name with NULs to the whole sun_path, 24
    // does not; the table shows every NUL as '@').
    const hangUp = "import socket\n"
      + "name = next(f for l in open('/proc/net/unix') for f in l.split()[7:8] if f.startswith('@ctnet-write')).replace('@', '\\0').encode()\n"
      + "for i in range(20):\n    s = socket.socket(socket.AF_UNIX)\n"
      + "    try: s.connect(name)\n    except OSError as e: raise SystemExit(f'connection {i}: {e}')\n    s.close()\n";
    const r = sh('nsenter', [`--net=/run/netns/${sbx.hostNs}`, 'python3', '-c', hangUp], { allowFail: true });
    expect(r.status, r.stderr).toBe(0);
    const [code] = await once(slow, 'exit');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', a]).status).toBe(0);
  });

  it('a lock held by a ctnet on another Node version (either form of the name) still excludes', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    for (const form of FORMS) {
      for (const [name, holder, expected] of [
        ['ctnet-write', { pid: 4242, command: 'ctnet apply -f old.yaml' }, 'another ctnet (pid 4242: ctnet apply -f old.yaml) is changing this host'],
        ['ctnet-watch:default', { pid: 4343, command: 'ctnet watch -f old.yaml', files: ['old.yaml'], projects: ['default'] },
          'ctnet watch (pid 4343, files old.yaml) manages project "default" on this host'],
      ] as const) {
        const other = spawn('nsenter', [`--net=/run/netns/${sbx.hostNs}`, 'python3', '-c', OTHER_HOLDER, name, form, JSON.stringify(holder)]);
        try {
          await once(other.stdout, 'data'); // ready
          const r = sbx.ctnet(['apply', '-q', '-f', a, '--lock-timeout', '0.2']);
          expect(r.status, `${name} ${form}: ${r.stderr}`).toBe(1);
          expect(r.stderr, `${name} ${form}`).toContain(expected);
        } finally {
          other.kill('SIGKILL');
          await once(other, 'exit');
        }
      }
    }
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', a]).status).toBe(2); // nothing was applied
  });

  it('a held lock answers under either form of its name (what a ctnet on another Node version asks)', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    const slow = sbx.spawnCtnet(['apply', '-q', '-f', a], { CTNET_SLOW_STEP_MS: '150' });
    await sleep(400);
    for (const form of FORMS) {
      const r = sh('nsenter', [`--net=/run/netns/${sbx.hostNs}`, 'python3', '-c', OTHER_ASKER, 'ctnet-write', form], { allowFail: true });
      expect(r.status, `${form}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout), form).toMatchObject({ pid: slow.pid, command: `ctnet apply -q -f ${a}` });
    }
    const [code] = await once(slow, 'exit');
    expect(code).toBe(0);
  });

  it('a holder killed with -9 leaves no lock behind', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    const slow = sbx.spawnCtnet(['apply', '-q', '-f', a], { CTNET_SLOW_STEP_MS: '500' });
    await sleep(700);
    slow.kill('SIGKILL');
    await once(slow, 'exit');
    const r = sbx.ctnet(['apply', '-q', '-f', a, '--lock-timeout', '0']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('while ctnet watch manages the host, apply and destroy refuse naming it; a second daemon is refused', async () => {
    const a = sbx.topology('a.yaml', topo('na', 1));
    const d = new Daemon(sbx, ['-f', a, '--metrics-listen', 'off']);
    try {
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 20_000);
      const snap = sbx.snapshot();
      for (const args of [['apply', '-q', '-f', sbx.topology('b.yaml', topo('nb', 2))], ['destroy'], ['destroy', '--all']]) {
        const r = sbx.ctnet(args);
        expect(r.status, args[0]).toBe(1);
        expect(r.stderr).toContain(`ctnet watch (pid ${d.proc.pid}, files ${a}) manages project "default" on this host: apply and destroy would fight it`);
        expect(r.stderr).toContain('Nothing was changed.');
      }
      expect(sbx.snapshot()).toBe(snap);
      const second = sbx.ctnet(['watch', '-f', a, '--metrics-listen', 'off']);
      expect(second.status).toBe(1);
      // (the test daemon runs with --log-level debug: watch-daemon.ts)
      expect(second.stderr).toContain(`another ctnet watch (pid ${d.proc.pid}: ctnet watch --log-level debug -f ${a} --metrics-listen off) already manages project "default" on this host`);
    } finally {
      await d.stop();
    }
    // Stopped, it manages nothing: apply works again.
    expect(sbx.ctnet(['apply', '-q', '-f', a, '--lock-timeout', '0']).status).toBe(0);
  }, 60_000);
});
