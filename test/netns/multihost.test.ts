// Issue 6: one topology for many hosts. Three sandbox hosts on one shared L2
// segment (a bridge in a "lan" namespace); each applies the same file with
// --host, gets its own networks and containers, and routes to the other hosts'
// container subnets via their addresses. Containers reach each other by IP
// across hosts; a host removed from the file loses its routes on the others; a
// changed next hop is replaced in place; explicit `peers` work like the seeds'
// `route add -net 172.18.0.0/16 gw 192.168.100.201`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNetns, cleanupPrefix, isRoot, rootTitle, ping, sh, uniquePrefix } from '../helpers/sandbox.js';

const MAIN = resolve(import.meta.dirname, '../../dist/bundle/main.js');
const P = uniquePrefix('m');
const dir = mkdtempSync(join(tmpdir(), `${P}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true })); // the topology files written below
const hostNs = (i: number) => `${P}h${i}`;
const lanIp = (i: number) => `192.168.100.${200 + i}`;

function ctnet(i: number, args: string[]) {
  const r = spawnSync('nsenter', [`--net=/run/netns/${hostNs(i)}`, process.execPath, MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function topology(hosts: number[], addr: (i: number) => string = lanIp): string {
  const lines = ['version: 1', 'hosts:'];
  for (const i of hosts) lines.push(`  h${i}: { address: ${addr(i)} }`);
  lines.push('networks:');
  for (const i of hosts) lines.push(`  n${i}: { subnet: 172.31.${i}.0/24, host: h${i} }`);
  lines.push('containers:');
  for (const i of hosts) lines.push(`  c${i}: { netns: ${P}c${i}, create: true, host: h${i}, networks: { n${i}: { ipv4_address: 172.31.${i}.10 } } }`);
  const file = join(dir, `multi-${hosts.join('')}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const routes = (i: number) => sh('ip', ['-n', hostNs(i), 'route', 'show', 'proto', '199']).stdout;

describe.skipIf(!isRoot)(rootTitle('multi-host topology'), () => {
  beforeAll(() => {
    addNetns(`${P}lan`);
    sh('ip', ['-n', `${P}lan`, 'link', 'add', 'lan0', 'type', 'bridge']);
    sh('ip', ['-n', `${P}lan`, 'link', 'set', 'lan0', 'up']);
    for (const i of [1, 2, 3]) {
      addNetns(hostNs(i));
      // The host's uplink: foreign to ctnet, like a real host's eth0.
      sh('ip', ['-n', hostNs(i), 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', `${P}lan`]);
      sh('ip', ['-n', `${P}lan`, 'link', 'set', `p${i}`, 'master', 'lan0', 'up']);
      sh('ip', ['-n', hostNs(i), 'addr', 'add', `${lanIp(i)}/24`, 'dev', 'uplink']);
      sh('ip', ['-n', hostNs(i), 'link', 'set', 'uplink', 'up']);
    }
  });
  afterAll(() => {
    for (const i of [1, 2, 3]) ctnet(i, ['destroy']);
    cleanupPrefix(P);
  });

  it('applies one file on three hosts; containers reach each other across hosts', () => {
    const file = topology([1, 2, 3]);
    for (const i of [1, 2, 3]) {
      const r = ctnet(i, ['apply', '-f', file, '--host', `h${i}`]);
      expect(r.stderr, `host h${i}`).toBe('');
      expect(r.status).toBe(0);
    }
    expect(routes(1)).toContain('172.31.2.0/24 via 192.168.100.202');
    expect(routes(1)).toContain('172.31.3.0/24 via 192.168.100.203');
    expect(routes(1)).not.toContain('172.31.1.0/24');
    expect(ping(`${P}c1`, '172.31.2.10')).toBe(true);
    expect(ping(`${P}c1`, '172.31.3.10')).toBe(true);
    expect(ping(`${P}c3`, '172.31.2.10')).toBe(true);
    // Routed, not masqueraded: h2 sees c1's own address (its connection tracking says so).
    const seen = sh('conntrack', ['-L', '-s', '172.31.1.10', '-d', '172.31.2.10'], { ns: hostNs(2), allowFail: true });
    expect(seen.stdout).toContain('src=172.31.1.10');
    // every host converged: a second plan is empty
    for (const i of [1, 2, 3]) expect(ctnet(i, ['plan', '-f', file, '--host', `h${i}`, '--detailed-exitcode']).status).toBe(0);
  });

  it('refuses a --host that the file does not list', () => {
    const r = ctnet(1, ['plan', '-f', topology([1, 2, 3]), '--host', 'nope']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"nope" is not one of the hosts');
  });

  it('a host removed from the file loses its routes on the others at the next apply', () => {
    const file = topology([1, 2]);
    expect(ctnet(1, ['apply', '-f', file, '--host', 'h1']).status).toBe(0);
    expect(routes(1)).toContain('172.31.2.0/24 via 192.168.100.202');
    expect(routes(1)).not.toContain('172.31.3.0/24');
  });

  it('replaces a changed next hop in place instead of adding a second route', () => {
    // h2 moves to another address on the same segment.
    sh('ip', ['-n', hostNs(2), 'addr', 'add', '192.168.100.222/24', 'dev', 'uplink']);
    const file = topology([1, 2], (i) => (i === 2 ? '192.168.100.222' : lanIp(i)));
    const r = ctnet(1, ['apply', '-f', file, '--host', 'h1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/route\/host\/172\.31\.2\.0\/24.*192\.168\.100\.202 -> 192\.168\.100\.222/);
    const lines = routes(1).split('\n').filter((l) => l.startsWith('172.31.2.0/24'));
    expect(lines).toEqual([expect.stringContaining('via 192.168.100.222')]);
    expect(ping(`${P}c1`, '172.31.2.10')).toBe(true);
  });

  it('explicit peers: the seeds\' two-host static route, removed when the peer goes', () => {
    const file = join(dir, 'peers.yaml');
    writeFileSync(file, `version: 1
networks:
  local: { subnet: 172.17.0.0/16 }
peers:
  docker-server2: { via: 192.168.100.202, subnets: [172.18.0.0/16] }
`);
    // h3 is no longer in the multi-host file: use it as a plain host with peers.
    expect(ctnet(3, ['destroy']).status).toBe(0);
    expect(ctnet(3, ['apply', '-f', file]).status).toBe(0);
    expect(routes(3)).toContain('172.18.0.0/16 via 192.168.100.202');
    writeFileSync(file, 'version: 1\nnetworks:\n  local: { subnet: 172.17.0.0/16 }\n');
    expect(ctnet(3, ['apply', '-f', file]).status).toBe(0);
    expect(routes(3)).not.toContain('172.18.0.0/16');
  });
});
