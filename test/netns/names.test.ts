// Names against the real kernel: hosts files (links, aliases) read through
// `ip netns exec … getent` and used by ping, a re-addressed container's name
// following in the next apply, and the embedded DNS server (`ctnet dns`) over UDP
// and TCP from container namespaces: per-network scoping, forwarding to an
// upstream that runs in another sandbox namespace, malformed packets.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { dnsClient, DNS_PACKET_PATH } from '../helpers/dns-client.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';


const topo = (web2: string) => `
version: 1
networks:
  front: { subnet: 10.203.0.0/24, dns: true }
  back: { subnet: 10.204.0.0/24, dns: true }
  ext: { subnet: 10.205.0.0/24 }
containers:
  web1:
    netns: {P}w1
    create: true
    networks:
      front: { aliases: [nginx-web1] }
    links: ["web2:www"]
  web2:
    netns: {P}w2
    create: true
    networks:
      front: { ipv4_address: ${web2} }
  db:
    netns: {P}db
    create: true
    networks: [back]
  up:
    netns: {P}up
    create: true
    networks:
      ext: { ipv4_address: 10.205.0.53 }
`;

// The upstream: knows example.test only, NXDOMAIN for everything else.
const UPSTREAM = `import dgram from 'node:dgram'; import p from '${DNS_PACKET_PATH}';
const s = dgram.createSocket('udp4'); s.bind(53, '10.205.0.53');
s.on('message', (m, r) => { try { const q = p.decode(m); const ok = q.questions[0].name === 'example.test';
  s.send(p.encode({ type: 'response', id: q.id, flags: ok ? 0 : 3, questions: q.questions, answers: ok ? [{ type: 'A', name: 'example.test', ttl: 5, data: '192.0.2.99' }] : [] }), r.port, r.address); } catch {} });
`;

describe.skipIf(!isRoot)(rootTitle('names: hosts files and embedded DNS'), () => {
  const sbx = new Sandbox('n');
  let file = '';
  let dns: ChildProcess | undefined;
  let upstream: ChildProcess | undefined;
  let dnsOut = '';
  const ns = (c: string) => `${sbx.prefix}${c}`;
  const getent = (c: string, name: string) => sh('getent', ['hosts', name], { ns: ns(c), allowFail: true }).stdout.trim();
  let ask: ReturnType<typeof dnsClient>;
  const query = (c: string, server: string, name: string, type = 'A', proto: 'udp' | 'tcp' = 'udp') => ask(ns(c), server, name, type, proto);
  const waitFor = async (re: RegExp, from = 0) => {
    for (let i = 0; i < 100 && !re.test(dnsOut.slice(from)); i++) await new Promise((r) => setTimeout(r, 100));
  };

  beforeAll(() => {
    sbx.create();
    file = sbx.topology('topo.yaml', topo('10.203.0.20'));
    ask = dnsClient(sbx.dir);
    writeFileSync(join(sbx.dir, 'upstream.mjs'), UPSTREAM);
    writeFileSync(join(sbx.dir, 'resolv.conf'), 'nameserver 10.205.0.53\n');
  });
  afterAll(() => {
    dns?.kill('SIGTERM');
    upstream?.kill('SIGTERM');
    sbx.destroy();
  });

  it('writes hosts files: own names, aliases and links resolve, and ping works by name', () => {
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const hosts = readFileSync(`/etc/netns/${ns('w1')}/hosts`, 'utf8');
    expect(hosts).toMatch(/^127\.0\.0\.1\tlocalhost\n/);
    expect(hosts).toContain('# BEGIN ctnet (managed, do not edit)\n10.203.0.2\tweb1 nginx-web1\n10.203.0.20\twww web2\n# END ctnet\n');
    expect(getent('w1', 'www')).toMatch(/^10\.203\.0\.20\s+www web2$/);
    expect(getent('w1', 'nginx-web1')).toMatch(/^10\.203\.0\.2\s/);
    expect(sh('ping', ['-c1', '-W1', 'www'], { ns: ns('w1'), allowFail: true }).status).toBe(0);
    expect(readFileSync(`/etc/netns/${ns('db')}/resolv.conf`, 'utf8')).toContain('nameserver 10.204.0.1\n');
    expect(sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']).status).toBe(0);
  });

  it('serves DNS over UDP and TCP on each dns network\'s gateway, scoped per network', async () => {
    upstream = spawn('ip', ['netns', 'exec', ns('up'), process.execPath, join(sbx.dir, 'upstream.mjs')], { stdio: 'ignore' });
    dns = sbx.spawnCtnet(['dns', '-f', file, '--resolv-conf', join(sbx.dir, 'resolv.conf')]);
    dns.stdout!.on('data', (d) => { dnsOut += d; });
    dns.stderr!.on('data', (d) => { dnsOut += d; });
    await waitFor(/network "back"/);
    expect(dnsOut).toContain('dns: network "front" on 10.203.0.1:53 (udp, tcp)');
    expect(query('w2', '10.203.0.1', 'nginx-web1')).toEqual({ rcode: 'NOERROR', answers: ['10.203.0.2'] });
    expect(query('w2', '10.203.0.1', 'web2', 'A', 'tcp')).toEqual({ rcode: 'NOERROR', answers: ['10.203.0.20'] });
    expect(query('w2', '10.203.0.1', 'web2', 'AAAA')).toEqual({ rcode: 'NOERROR', answers: [] }); // NODATA
    // db is only on "back": front's names are unknown to it (the upstream says NXDOMAIN), and vice versa.
    expect(query('db', '10.204.0.1', 'web2')).toEqual({ rcode: 'NXDOMAIN', answers: [] });
    expect(query('db', '10.203.0.1', 'web2')).toEqual({ rcode: 'NXDOMAIN', answers: [] });
    expect(query('w2', '10.204.0.1', 'db')).toEqual({ rcode: 'NXDOMAIN', answers: [] });
    expect(query('db', '10.204.0.1', 'db')).toEqual({ rcode: 'NOERROR', answers: ['10.204.0.2'] });
  });

  it('forwards other names to the upstream in another namespace; glibc resolves through resolv.conf', () => {
    expect(query('w2', '10.203.0.1', 'example.test')).toEqual({ rcode: 'NOERROR', answers: ['192.0.2.99'] });
    expect(getent('db', 'example.test')).toMatch(/^192\.0\.2\.99\s+example\.test$/);
    expect(getent('w2', 'nginx-web1')).toMatch(/^10\.203\.0\.2\s/); // w2 has no hosts file: this came over DNS
  });

  it('ignores malformed packets and keeps answering', () => {
    for (let i = 0; i < 3; i++) expect(query('w2', '10.203.0.1', '--junk')).toEqual({ timeout: true });
    expect(dns!.exitCode).toBe(null);
    expect(query('w2', '10.203.0.1', 'web2', 'A', 'tcp').answers).toEqual(['10.203.0.20']);
  });

  it('a re-addressed container\'s name follows: hosts file in the same apply, DNS after the reload', async () => {
    file = sbx.topology('topo.yaml', topo('10.203.0.21'));
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/~ hosts\/web1 .*\+10\.203\.0\.21 www web2, -10\.203\.0\.20 www web2/);
    expect(getent('w1', 'www')).toMatch(/^10\.203\.0\.21\s+www web2$/);
    expect(sh('ping', ['-c1', '-W1', 'www'], { ns: ns('w1'), allowFail: true }).status).toBe(0);
    const from = dnsOut.length;
    dns!.kill('SIGHUP');
    await waitFor(/dns: reloaded/, from);
    expect(query('w1', '10.203.0.1', 'web2')).toEqual({ rcode: 'NOERROR', answers: ['10.203.0.21'] });
  });

  it('destroy removes the blocks and the files ctnet created', () => {
    dns!.kill('SIGTERM');
    expect(sbx.ctnet(['destroy']).status).toBe(0);
    expect(existsSync(`/etc/netns/${ns('w1')}/hosts`)).toBe(false);
    expect(existsSync(`/etc/netns/${ns('db')}`)).toBe(false);
  });
});
