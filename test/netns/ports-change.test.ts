// A published UDP port moved to another container: the old flow's conntrack entry
// is deleted, so the same client stream (same source port) now reaches the new
// target instead of sticking to the old one. And IPv6 publishing end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { HOST_IP, makeOutside } from '../helpers/outside.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { ready, Servers } from '../helpers/traffic.js';
import { spawnSync } from 'node:child_process';

const TOPO = (udpOn: 'a' | 'b') => `
version: 1
networks:
  web: { subnet: 10.236.0.0/24, ipv6_subnet: "fd00:236::/64" }
containers:
  a:
    netns: {P}a
    create: true
    networks: { web: { ipv4_address: 10.236.0.10, ipv6_address: "fd00:236::10" } }
    ports: ["8080:80"${udpOn === 'a' ? ', "5353:53/udp"' : ''}]
  b:
    netns: {P}b
    create: true
    networks: { web: { ipv4_address: 10.236.0.11, ipv6_address: "fd00:236::11" } }
    ports: [${udpOn === 'b' ? '"5353:53/udp"' : ''}]
`;

/** One UDP datagram from a fixed source port, like a long-lived stream (DNS, RTP); a lost
 *  datagram (UDP, a loaded machine) is sent again, from the same port, up to 5 times. */
function udpFrom(ns: string, addr: string, port: number, sport: number): string {
  for (let i = 0; i < 5; i++) {
    const got = udpOnce(ns, addr, port, sport);
    if (got) return got;
  }
  return '';
}

function udpOnce(ns: string, addr: string, port: number, sport: number): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'socat', '-T1', '-', `UDP:${addr}:${port},sourceport=${sport},reuseaddr`],
    { input: 'x\n', encoding: 'utf8', timeout: 5000 });
  return (r.stdout ?? '').trim();
}

describe.skipIf(!isRoot)(rootTitle('changing a published port, and IPv6'), () => {
  const sbx = new Sandbox('m');
  const servers = new Servers();
  const [h, o, a, b] = ['h', 'o', 'a', 'b'].map((s) => `${sbx.prefix}${s}`);

  beforeAll(async () => {
    sbx.create();
    makeOutside(h, o, `${sbx.prefix}x`);
    sh('ip', ['-n', h, 'addr', 'add', 'fd00:51::1/64', 'dev', `${sbx.prefix}x`, 'nodad']);
    sh('ip', ['-n', o, 'addr', 'add', 'fd00:51::2/64', 'dev', 'eth0', 'nodad']);
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', TOPO('a'))]);
    expect(r.status).toBe(0);
    servers.start(a, 'a', 'udp', 53);
    servers.start(b, 'b', 'udp', 53);
    servers.start(a, 'a6', 'tcp', 80, 6);
    await ready(a, 'udp', '127.0.0.1', 53);
    await ready(b, 'udp', '127.0.0.1', 53);
    await ready(a, 'tcp', '::1', 80);
  });
  afterAll(() => { servers.stop(); sbx.destroy(); });

  it('publishes on IPv6 from outside through the host\'s IPv6 address', async () => {
    // Just after apply the bridge's IPv6 gateway address may still be settling: allow it a few seconds.
    let got = '';
    for (let i = 0; i < 20 && !got; i++) {
      got = spawnSync('ip', ['netns', 'exec', o, 'socat', '-T1', '-u', 'TCP:[fd00:51::1]:8080,connect-timeout=1', '-'], { encoding: 'utf8', timeout: 5000 }).stdout.trim();
      if (!got) await new Promise((r) => setTimeout(r, 200));
    }
    expect(got).toMatch(/^a6 \[fd00:0051:(0000:){5}0002\]/); // socat prints the peer uncompressed
  });

  it('moves a UDP stream to the new target when the mapping changes', () => {
    expect(udpFrom(o, HOST_IP, 5353, 40123)).toMatch(/^a /);
    expect(sh('conntrack', ['-L', '-p', 'udp', '--orig-port-dst', '5353'], { ns: h, allowFail: true }).stdout).toContain('sport=40123');
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', TOPO('b'))]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('+ publish udp 0.0.0.0:5353 -> b:53');
    expect(r.stdout).toContain('- publish udp 0.0.0.0:5353 -> a:53');
    // Same source port: without the conntrack delete this would still be answered by "a".
    expect(udpFrom(o, HOST_IP, 5353, 40123)).toMatch(/^b /);
  });

  it('destroy deletes the DNATed entries answered by its containers, and no one else\'s', () => {
    expect(udpFrom(o, HOST_IP, 5353, 40124)).toMatch(/^b /);
    // An entry ctnet has nothing to do with: neither DNATed nor to a published port.
    sh('conntrack', ['-I', '-p', 'udp', '-s', '10.99.0.1', '-d', '10.99.0.2', '--sport', '1111', '--dport', '2222', '--timeout', '120'], { ns: h });
    const list = () => sh('conntrack', ['-L', '-p', 'udp'], { ns: h, allowFail: true }).stdout;
    expect(list()).toContain('sport=40124');
    const r = sbx.ctnet(['destroy']);
    expect(r.status, r.stderr).toBe(0);
    expect(list()).not.toContain('sport=40124');
    expect(list()).toContain('sport=1111 dport=2222');
  });
});
