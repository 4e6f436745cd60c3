#!/usr/bin/env node
// bench/nft-peers.mjs N [N...] -- the same published-port workload as
// bench/nft-bench.mjs for the peers: the CNI portmap plugin (iptables) and
// netavark 1.4 (iptables driver), one container publishing N TCP ports as N
// separate mappings (range 1 each, as ctnet's N elements). Neither can change a
// mapping in place, so "one port changed" is what their runtimes do: DEL + ADD
// (CNI) or teardown + setup (netavark). Each run in a throw-away sandbox namespace.
//   sudo node bench/nft-peers.mjs 10 100 1000      (PEERS="cni" or "netavark" to run one)
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CNI = '/usr/lib/cni/portmap';
const NETAVARK = '/usr/lib/podman/netavark';
const dir = mkdtempSync(join(tmpdir(), 'ctnet-nftpeers-'));
const prefix = `ctbp${randomBytes(2).toString('hex')}`;
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const ports = (n, last) => [...Array(n - 1).keys()].map((i) => [20000 + i, 20000 + i]).concat([[last, 80]]);

function timed(ns, cmd, args, input, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...args],
    { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr || r.stdout}`.slice(0, 400));
  return ms(t0);
}

function cni(n) {
  const conf = (last) => JSON.stringify({
    cniVersion: '1.0.0', name: 'bench', type: 'portmap', capabilities: { portMappings: true }, snat: true,
    runtimeConfig: { portMappings: ports(n, last).map(([h, c]) => ({ hostPort: h, containerPort: c, protocol: 'tcp' })) },
    prevResult: { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: `/run/netns/${prefix}c` }],
      ips: [{ address: '10.250.0.10/16', gateway: '10.250.0.1', interface: 0 }] },
  });
  const env = (cmd) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: 'c1', CNI_NETNS: `/run/netns/${prefix}c`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' });
  const add = timed(`${prefix}h`, CNI, [], conf(5000), env('ADD'));
  const change = timed(`${prefix}h`, CNI, [], conf(5000), env('DEL')) + timed(`${prefix}h`, CNI, [], conf(5001), env('ADD'));
  return [add, change];
}

function netavark(n) {
  const cfg = join(dir, 'nvcfg');
  const opts = (last) => JSON.stringify({
    container_id: 'b'.repeat(64), container_name: 'c',
    port_mappings: ports(n, last).map(([h, c]) => ({ host_ip: '', container_port: c, host_port: h, range: 1, protocol: 'tcp' })),
    networks: { bench: { interface_name: 'eth0', static_ips: ['10.250.0.10'] } },
    network_info: { bench: { name: 'bench', id: 'c'.repeat(64), driver: 'bridge', network_interface: `${prefix}br`,
      subnets: [{ subnet: '10.250.0.0/16', gateway: '10.250.0.1' }], ipv6_enabled: false, internal: false, dns_enabled: false,
      ipam_options: { driver: 'host-local' } } },
  });
  const args = (verb) => ['--config', cfg, verb, `/run/netns/${prefix}c`];
  const setup = timed(`${prefix}h`, NETAVARK, args('setup'), opts(5000));
  const change = timed(`${prefix}h`, NETAVARK, args('teardown'), opts(5000)) + timed(`${prefix}h`, NETAVARK, args('setup'), opts(5001));
  return [setup, change];
}

const rows = [];
try {
  for (const n of process.argv.slice(2).map(Number)) {
    const only = (process.env.PEERS ?? 'cni netavark').split(/\s+/);
    const tools = [['CNI portmap', cni, 'cni'], ['netavark', netavark, 'netavark']].filter(([, , id]) => only.includes(id));
    for (const [name, fn] of tools) {
      for (const s of ['h', 'c']) execFileSync('ip', ['netns', 'add', `${prefix}${s}`]);
      try {
        const [a, c] = fn(n);
        rows.push(`| ${name} | ${n} | ${a.toFixed(0)} | ${c.toFixed(0)} |`);
      } catch (e) {
        rows.push(`| ${name} | ${n} | failed: ${String(e.message).split('\n')[0]} | |`);
      } finally {
        for (const s of ['h', 'c']) spawnSync('ip', ['netns', 'del', `${prefix}${s}`]);
      }
      console.error(rows.at(-1));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('| tool | ports | publish N ports (ms) | change one port (ms) |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
