// Issue 12: hosts that share no L2 segment. Three sandbox hosts whose uplinks are on three different
// segments, joined by a router namespace that routes only between the uplink subnets, so container
// traffic can cross only encapsulated. With `routing: vxlan` containers ping and reach a TCP service on
// the other hosts (routed, not masqueraded), a large ping with DF set passes without fragmenting, the
// overlay's entries are owned: drift is repaired by the next apply, a host removed from the file loses
// its entries on the others, a changed address replaces them in place. With `routing: auto`, two hosts
// that share a segment talk host-gw (no encapsulation between them) and the third through the overlay.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetns, cleanupPrefix, isRoot, ping, rootTitle, sh, uniquePrefix } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/ctnet.js';
import { ask, ready, Servers } from '../helpers/traffic.js';
import { Daemon } from './watch-daemon.js';

const MAIN = resolve(import.meta.dirname, '../../dist/bundle/main.js');
const P = uniquePrefix('o');
const dir = mkdtempSync(join(tmpdir(), `${P}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true })); // the topology files written below
const hostNs = (i: number) => `${P}h${i}`;
const R = `${P}r`;
/** Host i's uplink address: segment 10.7i.0.0/24 (h1 and h2 share segment 1 in the auto case). */
let addrOf = (i: number) => `10.7${i}.0.2`;

function ctnet(i: number, args: string[]) {
  const r = spawnSync('nsenter', [`--net=/run/netns/${hostNs(i)}`, process.execPath, MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function topology(mode: string, hosts: number[], name = mode): string {
  const lines = ['version: 1', `routing: { mode: ${mode}, vni: 4343 }`, 'hosts:'];
  for (const i of hosts) lines.push(`  h${i}: { address: ${addrOf(i)} }`);
  lines.push('networks:');
  for (const i of hosts) lines.push(`  n${i}: { subnet: 172.29.${i}.0/24, host: h${i} }`);
  lines.push('containers:');
  for (const i of hosts) lines.push(`  c${i}: { netns: ${P}c${i}, create: true, host: h${i}, networks: { n${i}: { ipv4_address: 172.29.${i}.10 } } }`);
  const file = join(dir, `${name}-${hosts.join('')}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const applyAll = (file: string, hosts: number[]) => {
  for (const i of hosts) {
    const r = ctnet(i, ['apply', '-f', file, '--host', `h${i}`]);
    expect(r.stderr, `host h${i}`).toBe('');
    expect(r.status, r.stdout).toBe(0);
  }
};
const fdb = (i: number) => sh('bridge', ['-n', hostNs(i), 'fdb', 'show', 'dev', 'ctv4343']).stdout;
/** Packets on host i's uplink to the VXLAN port, counted by nft in a table of the test's own. */
const encapsulated = (i: number) => Number(/packets (\d+)/.exec(sh('nft', ['list', 'table', 'inet', 'tcount'], { ns: hostNs(i) }).stdout)?.[1] ?? -1);

/** A router namespace with one segment per host; each host's uplink is foreign to ctnet. */
function wire(segmentOf: (i: number) => number): void {
  addNetns(R);
  sh('sysctl', ['-qw', 'net.ipv4.ip_forward=1'], { ns: R });
  const segments = new Set([1, 2, 3].map(segmentOf));
  for (const s of segments) {
    sh('ip', ['-n', R, 'link', 'add', `seg${s}`, 'type', 'bridge']);
    sh('ip', ['-n', R, 'addr', 'add', `10.7${s}.0.1/24`, 'dev', `seg${s}`]);
    sh('ip', ['-n', R, 'link', 'set', `seg${s}`, 'up']);
  }
  for (const i of [1, 2, 3]) {
    addNetns(hostNs(i));
    sh('ip', ['-n', hostNs(i), 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', `u${i}`, 'netns', R]);
    sh('ip', ['-n', R, 'link', 'set', `u${i}`, 'master', `seg${segmentOf(i)}`, 'up']);
    sh('ip', ['-n', hostNs(i), 'addr', 'add', `${addrOf(i)}/24`, 'dev', 'uplink']);
    sh('ip', ['-n', hostNs(i), 'link', 'set', 'uplink', 'up']);
    sh('ip', ['-n', hostNs(i), 'route', 'add', 'default', 'via', `10.7${segmentOf(i)}.0.1`]);
    sh('nft', ['-f', '-'], { ns: hostNs(i), input: 'table inet tcount { chain out { type filter hook output priority 0; udp dport 4789 counter; }; }\n' });
  }
}

function unwire(): void {
  for (const i of [1, 2, 3]) ctnet(i, ['destroy']);
  cleanupPrefix(P);
}

describe.skipIf(!isRoot)(rootTitle('routing: vxlan across routed segments'), () => {
  const servers = new Servers();
  beforeAll(() => wire((i) => i));
  afterAll(() => { servers.stop(); unwire(); });

  it('the router carries only the hosts\' own addresses: without an overlay, containers cannot reach each other', () => {
    const file = topology('host-gw', [1, 2, 3]);
    const r = ctnet(1, ['plan', '-f', file, '--host', 'h1']);
    expect(r.stdout + r.stderr).toContain('is not on a network directly connected to the host namespace');
  });

  it('containers on three hosts ping and reach a TCP service across the overlay, with their own addresses', async () => {
    const file = topology('vxlan', [1, 2, 3]);
    applyAll(file, [1, 2, 3]);
    expect(ping(`${P}c1`, '172.29.2.10')).toBe(true);
    expect(ping(`${P}c2`, '172.29.3.10')).toBe(true);
    expect(ping(`${P}c3`, '172.29.1.10')).toBe(true);
    servers.start(`${P}c2`, 'c2', 'tcp', 80);
    await ready(`${P}c2`, 'tcp', '127.0.0.1', 80);
    expect(ask(`${P}c1`, 'tcp', '172.29.2.10', 80)).toBe('c2 172.29.1.10'); // routed, not masqueraded
    expect(encapsulated(1)).toBeGreaterThan(0);
    expect(fdb(1)).toMatch(/02:c7:0a:48:00:02 dst 10\.72\.0\.2 .*permanent/);
    for (const i of [1, 2, 3]) expect(ctnet(i, ['plan', '-f', file, '--host', `h${i}`, '--detailed-exitcode']).status).toBe(0);
    // --host naming another machine: its address is not one of this host's (a warning, before any change).
    expect(ctnet(1, ['plan', '-f', file, '--host', 'h2']).stderr).toMatch(/^warning: .*hosts\.h2\.address: host "h2" has address 10\.72\.0\.2 in the file, but this machine has no such address\n  hint: .*its addresses: 10\.71\.0\.2/m);
  });

  it('gives the containers the overlay\'s MTU: the largest ping with DF set passes, one byte more does not', () => {
    expect(sh('ip', ['-n', hostNs(1), '-j', 'link', 'show', 'ctv4343']).stdout).toContain('"mtu":1450');
    const big = (size: number) => sh('ping', ['-c1', '-W1', '-M', 'do', '-s', String(size), '172.29.2.10'], { ns: `${P}c1`, allowFail: true }).status;
    expect(big(1450 - 28)).toBe(0);
    expect(big(1450 - 27)).not.toBe(0);
  });

  it('repairs a deleted forwarding entry at the next apply (plan says drifted)', () => {
    sh('bridge', ['-n', hostNs(1), 'fdb', 'del', '02:c7:0a:48:00:02', 'dev', 'ctv4343', 'dst', '10.72.0.2']);
    expect(ping(`${P}c1`, '172.29.2.10')).toBe(false);
    const file = topology('vxlan', [1, 2, 3]);
    const p = ctnet(1, ['plan', '-f', file, '--host', 'h1']);
    expect(p.stdout).toMatch(/~ vxlan\/4343 +drifted \(forwarding \+02:c7:0a:48:00:02 -> 10\.72\.0\.2\)/);
    applyAll(file, [1]);
    expect(ping(`${P}c1`, '172.29.2.10')).toBe(true);
  });

  it('ctnet watch hears a deleted overlay entry and puts it back within a second, not at the resync', async () => {
    const file = topology('vxlan', [1, 2, 3]);
    const sbx = { spawnCtnet: (args: string[]) => spawn('nsenter', [`--net=/run/netns/${hostNs(1)}`, process.execPath, MAIN, ...args], { stdio: 'pipe' }) } as unknown as Sandbox;
    const d = new Daemon(sbx, ['-f', file, '--host', 'h1', '--resync', '300', '--metrics-listen', 'off']);
    try {
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start' && l.result === 'converged', 0, 20_000);
      await d.settle();
      const mark = d.lines.length;
      const t0 = Date.now();
      sh('ip', ['-n', hostNs(1), 'neigh', 'del', '10.73.0.2', 'dev', 'ctv4343']);
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'kernel' && l.result === 'converged', mark, 5_000);
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(sh('ip', ['-n', hostNs(1), 'neigh', 'show', 'dev', 'ctv4343']).stdout).toContain('10.73.0.2 lladdr 02:c7:0a:49:00:02 PERMANENT');
      expect(ping(`${P}c1`, '172.29.3.10')).toBe(true);
    } finally {
      d.kill();
      await d.exited;
    }
  });

  it('a host removed from the file loses its entries and routes on the others', () => {
    const file = topology('vxlan', [1, 2], 'two');
    applyAll(file, [1, 2]);
    expect(fdb(1)).not.toContain('10.73.0.2');
    expect(sh('ip', ['-n', hostNs(1), 'route', 'show', 'proto', '199']).stdout).not.toContain('172.29.3.0/24');
    expect(ping(`${P}c1`, '172.29.2.10')).toBe(true);
  });

  it('a host that changed its address gets its entries replaced in place', () => {
    sh('ip', ['-n', hostNs(2), 'addr', 'add', '10.72.0.9/24', 'dev', 'uplink']);
    const before = addrOf;
    addrOf = (i) => (i === 2 ? '10.72.0.9' : before(i));
    try {
      const file = topology('vxlan', [1, 2], 'moved');
      applyAll(file, [2, 1]);
      expect(fdb(1)).toMatch(/02:c7:0a:48:00:09 dst 10\.72\.0\.9/);
      expect(fdb(1)).not.toContain('10.72.0.2');
      expect(ping(`${P}c1`, '172.29.2.10')).toBe(true);
    } finally {
      addrOf = before;
    }
  });
});

describe.skipIf(!isRoot)(rootTitle('routing: auto (host-gw where hosts share a segment, vxlan elsewhere)'), () => {
  const before = addrOf;
  beforeAll(() => {
    addrOf = (i) => (i === 3 ? '10.73.0.2' : `10.71.0.${i + 1}`);
    wire((i) => (i === 3 ? 3 : 1));
  });
  afterAll(() => { unwire(); addrOf = before; });

  it('routes to the host on the same segment directly and to the routed one through the overlay', () => {
    const file = topology('auto', [1, 2, 3]);
    applyAll(file, [1, 2, 3]);
    const r1 = sh('ip', ['-n', hostNs(1), 'route', 'show', 'proto', '199']).stdout;
    expect(r1).toMatch(/172\.29\.2\.0\/24 via 10\.71\.0\.3 dev uplink/);
    expect(r1).toMatch(/172\.29\.3\.0\/24 via 10\.73\.0\.2 dev ctv4343 .*onlink/);
    const n0 = encapsulated(1);
    expect(ping(`${P}c1`, '172.29.2.10')).toBe(true);
    expect(encapsulated(1)).toBe(n0);              // h1 -> h2: host-gw, nothing encapsulated
    expect(ping(`${P}c1`, '172.29.3.10')).toBe(true);
    expect(encapsulated(1)).toBeGreaterThan(n0);   // h1 -> h3: through the overlay
    expect(ping(`${P}c3`, '172.29.2.10')).toBe(true);
    for (const i of [1, 2, 3]) expect(ctnet(i, ['plan', '-f', file, '--host', `h${i}`, '--detailed-exitcode']).status).toBe(0);
  });
});
