// Publishing on 127.0.0.1 needs route_localnet on the container's bridge, and route_localnet also stops the
// kernel from dropping packets that arrive on that bridge addressed to 127.0.0.0/8. A container could then
// send datagrams to services the host binds to its loopback only (a stub resolver on 127.0.0.53, a metrics
// port on 127.0.0.1): the moby#45610 class of bug, from a container instead of the LAN. ctnet drops such
// packets before connection tracking (a `guard` chain at raw priority) on every bridge it sets route_localnet on.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { ask, ready, Servers } from '../helpers/traffic.js';

const TOPO = `
version: 1
networks:
  lg: { subnet: 10.240.0.0/24 }
containers:
  a: { netns: "{P}a", create: true, networks: { lg: { ipv4_address: 10.240.0.10 } }, ports: ["127.0.0.1:8443:80"] }
  b: { netns: "{P}b", create: true, networks: { lg: { ipv4_address: 10.240.0.11 } } }
`;

describe.skipIf(!isRoot)(rootTitle('a container cannot reach the host\'s loopback services through a route_localnet bridge'), () => {
  const sbx = new Sandbox('g');
  const servers = new Servers();
  const [h, a, b] = ['h', 'a', 'b'].map((s) => `${sbx.prefix}${s}`);
  let hostUdp: ChildProcess | undefined;

  beforeAll(async () => {
    sbx.create();
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', TOPO)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    servers.start(a, 'a', 'tcp', 80);
    await ready(a, 'tcp', '127.0.0.1', 80);
    // A host service on its loopback only.
    hostUdp = spawn('nsenter', [`--net=/run/netns/${h}`, 'socat', 'UDP4-RECVFROM:5454,bind=127.0.0.1,fork', 'SYSTEM:echo secret'], { stdio: 'ignore' });
    // Container b sends 127.0.0.1 to its gateway instead of its own loopback (what a raw socket can do anyway).
    sh('ip', ['-n', b, 'route', 'del', 'table', 'local', 'local', '127.0.0.1', 'dev', 'lo']);
    sh('ip', ['-n', b, 'route', 'del', 'table', 'local', 'local', '127.0.0.0/8', 'dev', 'lo']);
    sh('sysctl', ['-qw', 'net.ipv4.conf.all.route_localnet=1', 'net.ipv4.conf.eth0.route_localnet=1'], { ns: b });
    sh('ip', ['-n', b, 'route', 'add', '127.0.0.1/32', 'via', '10.240.0.1', 'dev', 'eth0']);
  });
  afterAll(() => { hostUdp?.kill('SIGKILL'); servers.stop(); sbx.destroy(); });

  it('publishes 127.0.0.1:8443 to the host (route_localnet on the bridge)', () => {
    expect(sh('sysctl', ['-n', 'net.ipv4.conf.br-lg.route_localnet'], { ns: h }).stdout.trim()).toBe('1');
    expect(ask(h, 'tcp', '127.0.0.1', 8443)).toMatch(/^a /);
  });

  it('drops datagrams from a container to the host\'s 127.0.0.1 before they reach a loopback-only service', async () => {
    sh('conntrack', ['-F'], { ns: h, allowFail: true });
    for (let i = 0; i < 3; i++) spawn('nsenter', [`--net=/run/netns/${b}`, 'socat', '-T1', '-', 'UDP4-DATAGRAM:127.0.0.1:5454'], { stdio: ['pipe', 'ignore', 'ignore'] }).stdin!.end('q\n');
    await new Promise((r) => setTimeout(r, 1500));
    const seen = sh('conntrack', ['-L', '-p', 'udp', '--dport', '5454'], { ns: h, allowFail: true }).stdout;
    expect(seen).not.toContain('dst=127.0.0.1');
    expect(sh('nft', ['list', 'chain', 'inet', 'ctnet', 'guard'], { ns: h }).stdout).toMatch(/iifname "br-lg" ip daddr 127\.0\.0\.0\/8 .*drop/);
  });
});
