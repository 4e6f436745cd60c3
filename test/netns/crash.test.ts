// Crash at every step (issue 16): SIGKILL right after the k-th kernel operation, for every k from 0 to the
// plan's length, of an apply that creates every kind of object ctnet has; then the next apply must
// converge (an empty plan after it) and destroy must leave nothing. The same for destroy, and for the undo
// of a failing apply. CTNET_KILL_AFTER_STEP is the test hook (src/cli/fault.ts).
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';

const ALL_KINDS = `version: 1
networks:
  front: { subnet: 10.241.0.0/24, ipv6_subnet: "fd00:241::/64", bridge_name: {P}f, dns: true }
  back: { subnet: 10.242.0.0/24, bridge_name: {P}b, allow_from: [front] }
containers:
  web: { netns: {P}w, create: true, networks: [front, back], ports: ["18080:80", "127.0.0.1:18443:443"], links: [db] }
  db: { netns: {P}d, create: true, networks: { back: { aliases: [database] } } }
  side: { netns: {P}s, create: true, network_mode: "container:web" }
peers:
  far: { via: 192.168.251.2, subnets: [10.243.0.0/24] }
`;

describe.skipIf(!isRoot)(rootTitle('crash at every step'), () => {
  const sbx = new Sandbox('k');
  let file = '';
  let total = 0;

  /** Everything ctnet could have left in the sandbox: none of it may remain after destroy. */
  const leftovers = (): string[] => {
    const out: string[] = [];
    const links = JSON.parse(sh('ip', ['-n', sbx.hostNs, '-j', 'link']).stdout) as { ifname: string; ifalias?: string; group?: string }[];
    for (const l of links) if (l.ifalias?.startsWith('ctnet:') || l.group === '199' || l.ifname.startsWith(sbx.prefix)) out.push(`link ${l.ifname}`);
    const routes = JSON.parse(sh('ip', ['-n', sbx.hostNs, '-j', 'route']).stdout) as { dst: string; protocol?: string }[];
    for (const r of routes) if (r.protocol === '199') out.push(`route ${r.dst}`);
    out.push(...sbx.netnsList().map((n) => `netns ${n}`));
    if (sh('nft', ['list', 'table', 'inet', 'ctnet'], { ns: sbx.hostNs, allowFail: true }).status === 0) out.push('nft table inet ctnet');
    for (const dir of ['/run/ctnet/netns', '/etc/netns']) {
      if (existsSync(dir)) out.push(...readdirSync(dir).filter((n) => n.startsWith(sbx.prefix)).map((n) => `${dir}/${n}`));
    }
    if (existsSync('/run/ctnet/files')) out.push(...readdirSync('/run/ctnet/files').filter((n) => n.includes(sbx.prefix)).map((n) => `record ${n}`));
    return out;
  };
  const converges = (what: string) => {
    const r = sbx.ctnet(['apply', '-q', '-f', file]);
    expect(r.status, `${what}: ${r.stderr}`).toBe(0);
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', file]).status, what).toBe(0);
    expect(ping(`${sbx.prefix}w`, '10.241.0.1'), what).toBe(true);
  };
  const destroyed = (what: string) => {
    const r = sbx.ctnet(['destroy']);
    expect(r.status, `${what}: ${r.stderr}`).toBe(0);
    expect(leftovers(), what).toEqual([]);
  };

  beforeAll(() => {
    sbx.create();
    // The host's own uplink (foreign to ctnet), on which the peer's next hop lies.
    sh('ip', ['-n', sbx.hostNs, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'uplink1']);
    sh('ip', ['-n', sbx.hostNs, 'addr', 'add', '192.168.251.1/24', 'dev', 'uplink0']);
    sh('ip', ['-n', sbx.hostNs, 'link', 'set', 'uplink0', 'up']);
    sh('ip', ['-n', sbx.hostNs, 'link', 'set', 'uplink1', 'up']);
    file = sbx.topology('t.yaml', ALL_KINDS);
    const p = JSON.parse(sbx.ctnet(['plan', '--json', '-f', file]).stdout);
    total = p.steps.length;
    const kinds = new Set((p.steps as { key: string }[]).map((s) => s.key.split('/')[0]));
    expect([...kinds].sort()).toEqual(['addr', 'bridge', 'hosts', 'lo', 'netns', 'nft', 'resolv', 'route', 'sysctl', 'veth']);
  });
  afterAll(() => sbx.destroy());

  it('apply: killed after every k-th operation, the next apply converges and destroy leaves nothing', () => {
    // Host-wide sysctls stay set after destroy (as Docker leaves them): later plans are shorter than the first.
    for (let k = 0, steps = total; k <= steps; k++, steps = JSON.parse(sbx.ctnet(['plan', '--json', '-f', file]).stdout).steps.length) {
      if (k > steps) break;
      const r = sbx.ctnet(['apply', '-q', '-f', file], { CTNET_KILL_AFTER_STEP: String(k) });
      expect(r.status, `kill after ${k} of ${steps}: it was not killed`).toBe(-1);
      converges(`apply killed after ${k} of ${total}`);
      destroyed(`apply killed after ${k} of ${total}`);
    }
  }, 600_000);

  it('destroy: killed after every k-th operation, the next destroy leaves nothing', () => {
    converges('before destroy');
    const d = JSON.parse(sbx.ctnet(['plan', '--json', '-f', sbx.topology('empty.yaml', 'version: 1\n')]).stdout).steps.length;
    for (let k = 0; k <= d; k++) {
      const r = sbx.ctnet(['destroy'], { CTNET_KILL_AFTER_STEP: String(k) });
      if (r.status === 0) break; // it finished before its k-th operation
      expect(r.status, `destroy killed after ${k}`).toBe(-1);
      destroyed(`destroy killed after ${k}`);
      converges(`after destroy killed after ${k}`);
    }
    destroyed('last destroy');
  }, 600_000);

  it('the undo of a failing apply: killed after every operation of the undo, the next apply converges', () => {
    const failAt = Math.ceil(total / 2);
    for (let k = failAt - 1; ; k++) {
      const r = sbx.ctnet(['apply', '-q', '-f', file], { CTNET_FAIL_AT_STEP: String(failAt), CTNET_KILL_AFTER_STEP: String(k) });
      if (r.status === 1) { // the undo finished before its k-th operation: every point of it was tried
        expect(r.stderr).toContain('All changes of this apply were undone');
        expect(k).toBeGreaterThan(failAt);
        expect(leftovers()).toEqual([]);
        break;
      }
      expect(r.status, `fail at ${failAt}, kill after ${k}`).toBe(-1);
      converges(`undo killed after ${k}`);
      destroyed(`undo killed after ${k}`);
    }
  }, 600_000);
});
