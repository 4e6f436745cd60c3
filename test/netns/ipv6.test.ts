// IPv6 as a first-class citizen (issue 17), with real packets: an IPv6-only network of three containers
// (ping6 between them, NAT66 to an outside sandbox that sees the host's address), published TCP, UDP and
// a UDP range reached over IPv6 from outside, from the host and through hairpin, an IPv6 host_ip binding,
// isolation from another IPv6-only network and `allow_from` opening one; a dual-stack port over both
// families; DNS on the IPv6 gateway over UDP and TCP (AAAA only), a forwarded name whose UDP answer is
// truncated retried over TCP against an upstream in the outside namespace, SERVFAIL when it is down.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { dnsClient, DNS_PACKET_PATH } from '../helpers/dns-client.js';
import { HOST_IP, makeOutside } from '../helpers/outside.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';
import { ask, ready, Servers } from '../helpers/traffic.js';

const HOST6 = '2001:db8:100::1';
const OUT6 = '2001:db8:100::2';
const GW6 = 'fd00:241::1';
/** socat prints a peer's IPv6 address in full ("[2001:0db8:0100:0000:...]"). */
const full = (a: string) => {
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [], t = tail ? tail.split(':') : [];
  return `\\[${[...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((x) => x.padStart(4, '0')).join(':')}\\]`;
};

const TOPO = `
version: 1
networks:
  six: { ipv6_subnet: "fd00:241::/64", dns: true }
  other: { ipv6_subnet: "fd00:242::/64" }
  opened: { ipv6_subnet: "fd00:243::/64", allow_from: [six] }
  dual: { subnet: 10.241.0.0/24, ipv6_subnet: "fd00:244::/64" }
containers:
  a:
    netns: {P}a
    create: true
    networks: { six: { ipv6_address: "fd00:241::10", aliases: [web] } }
    ports: ["8080:80", "5353:53/udp", "9000-9001:7000-7001/udp", "[${HOST6}]:8081:80"]
  b:
    netns: {P}b
    create: true
    networks: [six]
  c:
    netns: {P}c
    create: true
    networks: [six]
  d:
    netns: {P}d
    create: true
    networks: { other: { ipv6_address: "fd00:242::10" } }
  e:
    netns: {P}e
    create: true
    networks: { opened: { ipv6_address: "fd00:243::10" } }
  f:
    netns: {P}f
    create: true
    networks: { dual: { ipv4_address: 10.241.0.10, ipv6_address: "fd00:244::10" } }
    ports: ["9090:80"]
`;

// The upstream resolver in the outside namespace: example.test over UDP; big.test is too large for a
// datagram (TC set, as a real resolver answers) and whole over TCP.
const UPSTREAM = `import dgram from 'node:dgram'; import net from 'node:net'; import p from '${DNS_PACKET_PATH}';
const big = (q) => p.encode({ type: 'response', id: q.id, flags: p.RECURSION_AVAILABLE, questions: q.questions,
  answers: Array.from({ length: 60 }, (_, i) => ({ type: 'AAAA', name: 'big.test', ttl: 5, class: 'IN', data: '2001:db8:99::' + (i + 1).toString(16) })) });
const udp = dgram.createSocket('udp6'); udp.bind(53, '${OUT6}');
udp.on('message', (m, r) => { try { const q = p.decode(m); const name = q.questions[0].name;
  const reply = name === 'big.test' ? p.encode({ type: 'response', id: q.id, flags: p.TRUNCATED_RESPONSE, questions: q.questions })
    : p.encode({ type: 'response', id: q.id, flags: name === 'example.test' ? 0 : 3, questions: q.questions,
      answers: name === 'example.test' ? [{ type: 'AAAA', name, ttl: 5, data: '2001:db8:99::99' }] : [] });
  udp.send(reply, r.port, r.address); } catch {} });
net.createServer((c) => { let buf = Buffer.alloc(0); c.on('data', (d) => { buf = Buffer.concat([buf, d]);
  if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { const r = big(p.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
    c.end(Buffer.concat([Buffer.from([r.length >> 8, r.length & 255]), r])); } }); }).listen(53, '${OUT6}');
`;

describe.skipIf(!isRoot)(rootTitle('IPv6-only networks, IPv6 ports and DNS on IPv6'), () => {
  const sbx = new Sandbox('6');
  const servers = new Servers();
  const [h, o] = [`${sbx.prefix}h`, `${sbx.prefix}o`];
  const ns = (c: string) => `${sbx.prefix}${c}`;
  let file = '';
  let dns: ChildProcess | undefined;
  let upstream: ChildProcess | undefined;
  let dnsOut = '';
  let query: ReturnType<typeof dnsClient>;

  beforeAll(async () => {
    sbx.create();
    makeOutside(h, o, `${sbx.prefix}x`);
    // The host's IPv6 address toward the outside (nodad: usable at once, no 1 s of "tentative").
    sh('ip', ['-n', h, 'addr', 'add', `${HOST6}/64`, 'dev', `${sbx.prefix}x`, 'nodad']);
    sh('ip', ['-n', o, 'addr', 'add', `${OUT6}/64`, 'dev', 'eth0', 'nodad']);
    file = sbx.topology('t.yaml', TOPO);
    query = dnsClient(sbx.dir);
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of ['a', 'f']) {
      servers.start(ns(c), c, 'tcp', 80, 6);
      servers.start(ns(c), c, 'udp', 53, 6);
    }
    servers.start(ns('a'), 'a7000', 'udp', 7000, 6);
    servers.start(ns('a'), 'a7001', 'udp', 7001, 6);
    servers.start(o, 'outside', 'tcp', 7777, 6);
    await ready(ns('a'), 'tcp', '::1', 80);
    await ready(ns('f'), 'tcp', '::1', 80);
    await ready(o, 'tcp', '::1', 7777);
    for (const port of [53, 7000, 7001]) await ready(ns('a'), 'udp', '::1', port);
  });
  afterAll(() => {
    dns?.kill('SIGTERM');
    upstream?.kill('SIGTERM');
    servers.stop();
    sbx.destroy();
  });

  it('gives IPv6-only containers only IPv6: addresses, a default route, hosts and resolv.conf; plans empty', () => {
    expect(sh('ip', ['-n', ns('a'), '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout.trim()).toBe('');
    expect(sh('ip', ['-n', ns('a'), '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']).stdout).toContain('fd00:241::10/64');
    expect(sh('ip', ['-n', ns('b'), '-6', 'route', 'show', 'default']).stdout).toMatch(new RegExp(`^default via ${GW6} dev eth0`));
    expect(readFileSync(`/etc/netns/${ns('a')}/hosts`, 'utf8')).toContain('fd00:241::10\ta web\n');
    expect(readFileSync(`/etc/netns/${ns('b')}/resolv.conf`, 'utf8')).toContain(`nameserver ${GW6}\n`);
    // Only the IPv6 sysctls of an IPv6-only network... and the IPv4 one the dual-stack network needs.
    expect(sh('sysctl', ['-n', 'net.ipv6.conf.all.forwarding'], { ns: h }).stdout.trim()).toBe('1');
    const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
    expect(p.status).toBe(0);
  });

  it('ping6 between the containers and to the gateway; outbound is masqueraded (NAT66) to the host address', () => {
    const addrOf = (c: string) => sh('ip', ['-n', ns(c), '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']).stdout;
    const bAddr = JSON.parse(addrOf('b'))[0].addr_info[0].local;
    expect(bAddr).toBe('fd00:241::2');
    expect(ping(ns('a'), bAddr)).toBe(true);
    expect(ping(ns('c'), 'fd00:241::10')).toBe(true);
    expect(ping(ns('b'), GW6)).toBe(true);
    expect(ask(ns('a'), 'tcp', OUT6, 7777)).toMatch(new RegExp(`^outside ${full(HOST6)}`));
  });

  it('isolates IPv6-only networks; allow_from opens one way only', () => {
    expect(ping(ns('a'), 'fd00:242::10')).toBe(false);
    expect(ping(ns('d'), 'fd00:241::10')).toBe(false);
    expect(ping(ns('a'), 'fd00:243::10')).toBe(true);   // opened allows six
    expect(ping(ns('e'), 'fd00:241::10')).toBe(false);  // six does not allow opened
  });

  it('publishes TCP, UDP and a UDP range over IPv6: from outside, from the host, through hairpin, on a host_ip', () => {
    expect(ask(o, 'tcp', HOST6, 8080)).toMatch(new RegExp(`^a ${full(OUT6)}`)); // the client's own address
    expect(ask(o, 'udp', HOST6, 5353)).toMatch(/^a /);
    expect(ask(o, 'udp', HOST6, 9000)).toMatch(/^a7000 /);
    expect(ask(o, 'udp', HOST6, 9001)).toMatch(/^a7001 /);
    expect(ask(o, 'tcp', HOST6, 8081)).toMatch(/^a /);   // [HOST6]:8081 binds that address only
    expect(ask(h, 'tcp', HOST6, 8080)).toMatch(/^a /);   // from the host itself
    expect(ask(h, 'tcp', GW6, 8080)).toMatch(/^a /);     // on the gateway too
    expect(ask(ns('b'), 'tcp', HOST6, 8080)).toMatch(new RegExp(`^a ${full(GW6)}`)); // hairpin, masqueraded
    expect(ask(o, 'tcp', HOST6, 8082)).toBe('');         // nothing published there
  });

  it('publishes a dual-stack container\'s port over both families', () => {
    expect(ask(o, 'tcp', HOST6, 9090)).toMatch(/^f /);
    expect(ask(o, 'tcp', HOST_IP, 9090)).toMatch(/^f \[0000:0000:0000:0000:0000:ffff:c633:6402\]/); // 198.51.100.2 on the one dual-stack socket in f
  });

  it('serves DNS on the IPv6 gateway over UDP and TCP, AAAA only', async () => {
    writeFileSync(join(sbx.dir, 'upstream.mjs'), UPSTREAM);
    writeFileSync(join(sbx.dir, 'resolv.conf'), `nameserver ${OUT6}\n`);
    upstream = spawn('nsenter', [`--net=/run/netns/${o}`, process.execPath, join(sbx.dir, 'upstream.mjs')], { stdio: 'ignore' });
    dns = sbx.spawnCtnet(['dns', '-f', file, '--resolv-conf', join(sbx.dir, 'resolv.conf')]);
    dns.stdout!.on('data', (d) => { dnsOut += d; });
    dns.stderr!.on('data', (d) => { dnsOut += d; });
    for (let i = 0; i < 100 && !dnsOut.includes('network "six"'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(dnsOut).toContain(`dns: network "six" on [${GW6}]:53 (udp, tcp)`);
    expect(query(ns('b'), GW6, 'a', 'AAAA')).toEqual({ rcode: 'NOERROR', answers: ['fd00:241::10'] });
    expect(query(ns('b'), GW6, 'web', 'AAAA', 'tcp')).toEqual({ rcode: 'NOERROR', answers: ['fd00:241::10'] });
    expect(query(ns('b'), GW6, 'a', 'A')).toEqual({ rcode: 'NOERROR', answers: [] }); // NODATA: no IPv4 here
    // glibc in the container asks the IPv6 gateway named in its resolv.conf.
    expect(sh('getent', ['ahostsv6', 'web'], { ns: ns('c'), allowFail: true }).stdout).toContain('fd00:241::10');
  });

  it('forwards to an IPv6 upstream: a truncated UDP answer is asked again over TCP; SERVFAIL when the upstream is down', async () => {
    for (let i = 0; i < 50 && query(ns('b'), GW6, 'example.test', 'AAAA').rcode !== 'NOERROR'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(query(ns('b'), GW6, 'example.test', 'AAAA')).toEqual({ rcode: 'NOERROR', answers: ['2001:db8:99::99'] });
    const big = query(ns('b'), GW6, 'big.test', 'AAAA', 'udp', 4000);
    expect(big.tc).toBeUndefined();
    expect(big.answers).toHaveLength(60);
    expect(query(ns('b'), GW6, 'big.test', 'AAAA', 'tcp', 4000).answers).toHaveLength(60);
    upstream!.kill('SIGKILL');
    await new Promise((r) => upstream!.once('exit', r));
    const t0 = Date.now();
    expect(query(ns('b'), GW6, 'example.test', 'AAAA', 'udp', 6000)).toEqual({ rcode: 'SERVFAIL', answers: [] });
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('show says the IPv6-only networks back, and what it says plans empty', () => {
    const s = sbx.ctnet(['show']);
    expect(s.stderr).toBe('');
    expect(s.stdout).toMatch(/six:\n(\s+\w+: .*\n)*?\s+ipv6_subnet: fd00:241::\/64/);
    expect(s.stdout).toContain('dns: true');
    expect(s.stdout).toContain(`"[${HOST6}]:8081:80/tcp"`);
    const p = sbx.ctnet(['plan', '-f', sbx.topology('shown.yaml', s.stdout), '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
    expect(p.status).toBe(0);
  });
});
