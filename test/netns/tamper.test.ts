// Tampering under `ctnet watch` (issue 16): every kind of change behind ctnet's back is repaired from
// its own event within one second of the tamper, and the network carries packets again.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, eventually } from './watch-daemon.js';

const TOPO = `version: 1
networks:
  front: { subnet: 10.236.0.0/24, bridge_name: {P}f }
  back: { subnet: 10.237.0.0/24, bridge_name: {P}b }
containers:
  a: { netns: {P}a, create: true, networks: { front: { ipv4_address: 10.236.0.10 } }, links: [b], ports: ["18088:80"] }
  b: { netns: {P}b, create: true, networks: { front: { ipv4_address: 10.236.0.11 } } }
  c: { netns: {P}c, create: true, networks: { back: { ipv4_address: 10.237.0.12 } } }
peers:
  far: { via: 192.168.252.2, subnets: [10.238.0.0/24] }
`;

describe.skipIf(!isRoot)(rootTitle('tampering under watch: every kind repaired within a second'), () => {
  const sbx = new Sandbox('t');
  const ns = (n: string) => `${sbx.prefix}${n}`;
  const h = () => sbx.hostNs;
  let d: Daemon;
  const link = (alias: string) => (JSON.parse(sh('ip', ['-n', h(), '-j', 'link']).stdout) as { ifname: string; ifalias?: string }[])
    .find((l) => l.ifalias === `ctnet:${alias}`)!.ifname;
  const times: Record<string, number> = {};

  beforeAll(async () => {
    sbx.create();
    sh('ip', ['-n', h(), 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'uplink1']);
    sh('ip', ['-n', h(), 'addr', 'add', '192.168.252.1/24', 'dev', 'uplink0']);
    sh('ip', ['-n', h(), 'link', 'set', 'uplink0', 'up']);
    sh('ip', ['-n', h(), 'link', 'set', 'uplink1', 'up']);
    d = new Daemon(sbx, ['-f', sbx.topology('t.yaml', TOPO), '--resync', '300', '--metrics-listen', 'off']);
    await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 20_000);
  });
  afterAll(() => {
    d?.kill();
    sbx.destroy();
    console.log(`tamper -> repaired (ms): ${JSON.stringify(times)}`);
  });

  /** Tamper, then the repair must be logged within 1 s (a drift repair of one of `kinds`), and traffic works. */
  const kinds: [string, () => void, string[]][] = [
    ['veth host end deleted', () => sh('ip', ['-n', h(), 'link', 'del', link('veth/b/front')]), ['veth']],
    ['veth host end down', () => sh('ip', ['-n', h(), 'link', 'set', link('veth/a/front'), 'down']), ['veth']],
    ['container address flushed', () => sh('ip', ['-n', ns('b'), 'addr', 'flush', 'dev', 'eth0']), ['addr']],
    ['container default route deleted', () => sh('ip', ['-n', ns('a'), 'route', 'del', 'default']), ['route']],
    ['eth0 down in a container', () => sh('ip', ['-n', ns('b'), 'link', 'set', 'eth0', 'down']), ['veth']],
    ['container namespace deleted', () => sh('ip', ['netns', 'del', ns('c')]), ['netns', 'veth']],
    ['bridge down', () => sh('ip', ['-n', h(), 'link', 'set', `${sbx.prefix}f`, 'down']), ['bridge']],
    ['bridge address deleted', () => sh('ip', ['-n', h(), 'addr', 'flush', 'dev', `${sbx.prefix}f`]), ['addr']],
    ['peer route deleted', () => sh('ip', ['-n', h(), 'route', 'del', '10.238.0.0/24']), ['route']],
    ['nft table flushed', () => sh('nft', ['flush', 'table', 'inet', 'ctnet'], { ns: h() }), ['nft']],
    ['nft table deleted', () => sh('nft', ['delete', 'table', 'inet', 'ctnet'], { ns: h() }), ['nft']],
    ['ip_forward reset', () => sh('sysctl', ['-qw', 'net.ipv4.ip_forward=0'], { ns: h() }), ['sysctl']],
    ['hosts file edited', () => writeFileSync(`/etc/netns/${ns('a')}/hosts`, '127.0.0.1 localhost\n'), ['hosts']],
  ];

  it.each(kinds)('%s', async (what, tamper, repairKinds) => {
    await d.settle(300);
    const mark = d.lines.length;
    const t0 = Date.now();
    tamper();
    await d.waitLine((l) => l.msg === 'drift repaired' && repairKinds.includes(l.kind as string), mark, 5_000);
    await d.waitLine((l) => l.msg === 'reconcile' && l.result === 'converged', mark, 5_000);
    times[what] = Date.now() - t0;
    expect(times[what], what).toBeLessThan(1_000);
    expect(await eventually(() => ping(ns('a'), '10.236.0.11'), 2_000)).toBe(true);
    expect(await eventually(() => ping(ns('c'), '10.237.0.1'), 2_000)).toBe(true);
    expect(readFileSync(`/etc/netns/${ns('a')}/hosts`, 'utf8')).toMatch(/10\.236\.0\.11\s+b/);
    expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', `${sbx.dir}/t.yaml`]).status, what).toBe(0);
  });
});
