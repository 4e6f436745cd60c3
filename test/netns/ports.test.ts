// Published ports with real TCP and UDP traffic: from an "outside" namespace through
// the sandbox host's address, from the host itself, via 127.0.0.1 (and not from
// outside), hairpin, a UDP range and an automatic host port; foreign nftables
// tables stay byte-identical; a tampered table is repaired; destroy removes it.
// Everything runs with br_netfilter's bridge-nf-call-iptables at 1 and at 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { HOST_IP, makeOutside, nftText, routeLoopbackToHost } from '../helpers/outside.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { ask, ready, Servers } from '../helpers/traffic.js';

const TOPO = `
version: 1
networks:
  web: { subnet: 10.231.0.0/24 }
containers:
  a:
    netns: {P}a
    create: true
    networks: { web: { ipv4_address: 10.231.0.10 } }
    ports: ["8080:80", "5353:53/udp", "127.0.0.1:8443:80", "9000-9001:7000-7001/udp", "9999:80"]
  b:
    netns: {P}b
    create: true
    networks: { web: { ipv4_address: 10.231.0.11 } }
    ports: ["80"]
`;
const FOREIGN = 'table inet filter {\n chain forward { type filter hook forward priority 0; policy accept; }\n}\ntable ip nat {\n chain postrouting { type nat hook postrouting priority 100; }\n}\n';

describe.skipIf(!isRoot).each([1, 0])(rootTitle('published ports (bridge-nf-call-iptables=%i)'), (bnf) => {
  const sbx = new Sandbox(`p${bnf}`);
  const servers = new Servers();
  const [h, o, a, b] = ['h', 'o', 'a', 'b'].map((s) => `${sbx.prefix}${s}`);
  let file = '';
  let foreignBefore = '';

  beforeAll(async () => {
    sbx.create();
    makeOutside(h, o, `${sbx.prefix}x`);
    sh('sysctl', ['-qw', `net.bridge.bridge-nf-call-iptables=${bnf}`], { ns: h });
    sh('nft', ['-f', '-'], { ns: h, input: FOREIGN });
    foreignBefore = nftText(h);
    file = sbx.topology('t.yaml', TOPO);
    servers.start(h, 'hostsvc', 'tcp', 9999); // a host service the published port 9999 will shadow
    await ready(h, 'tcp', '127.0.0.1', 9999);
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toMatch(/^warning: .*t\.yaml:\d+:\d+: containers\.a\.ports\.4: host port 9999\/tcp is already bound by socat \(pid \d+\) \(0\.0\.0\.0:9999\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // the warning and its hint, nothing else
    expect(r.status).toBe(0);
    servers.start(a, 'a', 'tcp', 80);
    servers.start(a, 'a', 'udp', 53);
    servers.start(a, 'a7000', 'udp', 7000);
    servers.start(a, 'a7001', 'udp', 7001);
    servers.start(b, 'b', 'tcp', 80);
    await ready(a, 'tcp', '127.0.0.1', 80);
    await ready(b, 'tcp', '127.0.0.1', 80);
    for (const port of [53, 7000, 7001]) await ready(a, 'udp', '127.0.0.1', port);
  });
  afterAll(() => { servers.stop(); sbx.destroy(); });

  it('converges: a second plan is empty, and the sysctls are set', () => {
    const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
    expect(p.status).toBe(0);
    expect(sh('sysctl', ['-n', 'net.ipv4.ip_forward'], { ns: h }).stdout.trim()).toBe('1');
    expect(sh('sysctl', ['-n', `net.bridge.bridge-nf-call-iptables`], { ns: h }).stdout.trim()).toBe(String(bnf));
  });

  it('reaches containers from outside through the host address, TCP, UDP and a UDP range', () => {
    expect(ask(o, 'tcp', HOST_IP, 8080)).toMatch(/^a /);
    expect(ask(o, 'udp', HOST_IP, 5353)).toMatch(/^a /);
    expect(ask(o, 'udp', HOST_IP, 9000)).toMatch(/^a7000 /);
    expect(ask(o, 'udp', HOST_IP, 9001)).toMatch(/^a7001 /);
    expect(ask(o, 'tcp', HOST_IP, 8081)).toBe('');  // nothing published there
  });

  it('reaches them from the host itself, on its own address and on the gateway', () => {
    expect(ask(h, 'tcp', HOST_IP, 8080)).toMatch(/^a /);
    expect(ask(h, 'tcp', '10.231.0.1', 8080)).toMatch(/^a /);
  });

  it('publishes 127.0.0.1:8443 and the wildcard ports to the host\'s loopback, never to outside (moby#45610)', () => {
    expect(ask(h, 'tcp', '127.0.0.1', 8443)).toMatch(/^a /);
    expect(ask(h, 'tcp', '127.0.0.1', 8080)).toMatch(/^a /); // a wildcard port answers on loopback too, as Docker's
    routeLoopbackToHost(o);
    expect(ask(o, 'tcp', HOST_IP, 8080)).toMatch(/^a /); // positive control over the same path
    expect(ask(o, 'tcp', '127.0.0.1', 8443)).toBe('');
    expect(ask(o, 'tcp', '127.0.0.1', 8080)).toBe('');
  });

  it('hairpin: a container reaches its own and another container\'s published port via the host address', () => {
    expect(ask(a, 'tcp', HOST_IP, 8080)).toMatch(/^a /);
    expect(ask(b, 'tcp', HOST_IP, 8080)).toMatch(/^a /);
  });

  it('gives a lone container port an automatic host port that stays stable', () => {
    const listing = sh('nft', ['-j', 'list', 'map', 'inet', 'ctnet', 'pa4'], { ns: h }).stdout;
    const elems = JSON.parse(listing).nftables.find((x: any) => x.map).map.elem as [{ concat: [string, number] }, string][];
    const auto = elems.find(([, addr]) => addr === '10.231.0.11')!;
    expect(auto[0].concat[1]).toBe(32768);
    expect(ask(o, 'tcp', HOST_IP, 32768)).toMatch(/^b /);
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
  });

  it('repairs a tampered table on the next apply', () => {
    sh('nft', ['flush', 'table', 'inet', 'ctnet'], { ns: h });
    sh('nft', ['flush', 'map', 'inet', 'ctnet', 'pa4'], { ns: h });
    expect(ask(o, 'tcp', HOST_IP, 8080)).toBe('');
    const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(p.status).toBe(2);
    expect(p.stdout).toContain('+ publish tcp 0.0.0.0:8080 -> a:80');
    expect(sbx.ctnet(['apply', '-f', file]).status).toBe(0);
    expect(ask(o, 'tcp', HOST_IP, 8080)).toMatch(/^a /);
    // pa4 was flushed, so nothing remembered b's port: it is chosen again, lowest free first, hence the same.
    expect(ask(o, 'tcp', HOST_IP, 32768)).toMatch(/^b /);
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
  });

  it('leaves foreign tables byte-identical, and destroy removes only ctnet\'s table', () => {
    const strip = (s: string) => s.replace(/table inet ctnet \{[\s\S]*?\n\}\n/, '');
    expect(strip(nftText(h))).toBe(foreignBefore);
    expect(sbx.ctnet(['destroy']).status).toBe(0);
    expect(nftText(h, 'tables')).not.toContain('ctnet');
    expect(nftText(h)).toBe(foreignBefore);
  });
});
