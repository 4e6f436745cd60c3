// Docker's containers as ctnet targets (issue 13), against a real engine: Debian's dockerd inside the
// sandbox host (its own roots and socket, its iptables rules and docker0 in the sandbox), containers
// started with `--network none` and attached by `docker: <name>`. Real packets throughout.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { Dockerd, haveDocker } from '../helpers/dockerd.js';
import { HOST_IP, makeOutside, OUTSIDE_IP } from '../helpers/outside.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';
import { Daemon, eventually } from './watch-daemon.js';

const title = haveDocker ? 'docker: containers' : 'docker: containers [skipped: needs docker.io and busybox-static]';

describe.skipIf(!isRoot || !haveDocker)(rootTitle(title), () => {
  const sbx = new Sandbox('dk');
  const eng = new Dockerd(sbx.hostNs, sbx.dir);
  const outside = `${sbx.prefix}o`;
  const web = `${sbx.prefix}web`;
  const db = `${sbx.prefix}db`;
  let file = '';
  let dockerRules = '';
  const env = () => ({ DOCKER_HOST: eng.host });
  const inHost = (cmd: string[]) => sh('nsenter', [`--net=/run/netns/${sbx.hostNs}`, ...cmd], { allowFail: true });
  const ping = (from: string, to: string) => eng.exec(from, ['ping', '-c1', '-W1', to]).status === 0;
  const addrOf = (c: string) => /inet (10\.231\.0\.\d+)\//.exec(eng.exec(c, ['ip', '-4', 'addr', 'show', 'eth0']).stdout)?.[1];
  /** Docker's own tables and bridge, without counters (packets move them). */
  const dockerState = () => [
    inHost(['nft', 'list', 'table', 'ip', 'filter']).stdout, inHost(['nft', 'list', 'table', 'ip', 'nat']).stdout,
    inHost(['ip', '-br', 'link', 'show', 'docker0']).stdout, inHost(['ip', '-br', 'addr', 'show', 'docker0']).stdout,
  ].join('\n').replace(/counter packets \d+ bytes \d+/g, 'counter');

  beforeAll(async () => {
    sbx.create();
    makeOutside(sbx.hostNs, outside, `${sbx.prefix}x`);
    await eng.start();
    eng.run(web, ['httpd', '-f', '-p', '80', '-h', '/www']);
    eng.run(db, ['sleep', '3600']);
    dockerRules = dockerState();
    file = sbx.topology('t.yaml', `
version: 1
name: dk
networks:
  front: { subnet: 10.231.0.0/24, dns: true }
containers:
  web:
    docker: ${web}
    networks: { front: { ipv4_address: 10.231.0.10, aliases: [www] } }
    ports: ["8081:80"]
  db:
    docker: ${db}
    networks: [front]
    links: ["web:site"]
  later:
    docker: ${sbx.prefix}later
    networks: [front]
`);
  }, 90_000);
  afterAll(async () => {
    await eng.stop();
    sh('ip', ['netns', 'del', outside], { allowFail: true });
    sbx.destroy();
  }, 60_000);

  it("warns that Docker's FORWARD policy drops the network, with the fix that makes it flow", () => {
    const plan = sbx.ctnet(['plan', '-f', file], env());
    expect(plan.status).toBe(0);
    expect(plan.stderr).toContain('warning: ');
    expect(plan.stderr).toContain('networks.front: chain ip filter FORWARD (forward hook, policy drop, not ctnet\'s) drops the traffic of network "front" (bridge br-front)');
    expect(plan.stderr).toContain('iptables -I DOCKER-USER -i br-front -j ACCEPT && iptables -I DOCKER-USER -o br-front -j ACCEPT');
    // A container that does not exist yet waits; the others are planned.
    expect(plan.stderr).toContain(`containers.later.docker: the Docker engine at ${eng.host} has no container "${sbx.prefix}later"`);
    expect(plan.stdout).toContain('waiting: container "later"');
    expect(plan.stdout).toContain('+ veth/web/front');

    const r = sbx.ctnet(['apply', '-f', file], env());
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verified: the kernel matches the topology, but for 1 waiting container.');
    expect(addrOf(web)).toBe('10.231.0.10');
    expect(ping(db, '10.231.0.1')).toBe(true);   // the gateway answers...
    expect(ping(db, '10.231.0.10')).toBe(false); // ...and Docker drops the rest, as the warning said
    // The operator follows the hint.
    inHost(['sh', '-c', 'iptables -I DOCKER-USER -i br-front -j ACCEPT && iptables -I DOCKER-USER -o br-front -j ACCEPT']);
    expect(ping(db, '10.231.0.10')).toBe(true);
    expect(sbx.ctnet(['plan', '-f', file], env()).stderr).not.toContain('FORWARD');
  });

  it('delivers names in the file the container sees as /etc/hosts, and through DNS', () => {
    const hosts = eng.exec(db, ['cat', '/etc/hosts']).stdout;
    expect(hosts).toMatch(/^10\.231\.0\.10\tsite web$/m);
    expect(hosts).toContain('localhost'); // Docker's own lines are kept
    expect(ping(db, 'site')).toBe(true);
    expect(eng.exec(db, ['cat', '/etc/resolv.conf']).stdout).toContain('nameserver 10.231.0.1');
  });

  it('publishes a port to the outside and on the host\'s 127.0.0.1, as Docker does', () => {
    const fromOutside = sh('nsenter', [`--net=/run/netns/${outside}`, 'curl', '-s', '-m', '3', `http://${HOST_IP}:8081/`], { allowFail: true });
    expect(fromOutside.stdout).toBe('hello from docker\n');
    expect(inHost(['curl', '-s', '-m', '3', 'http://127.0.0.1:8081/']).stdout).toBe('hello from docker\n');
    expect(eng.exec(web, ['ping', '-c1', '-W1', OUTSIDE_IP]).status).toBe(0); // masqueraded out
  });

  it('watch: a restarted container is attached again with the same address within a second, while another is repaired; a stopped one waits and blocks nothing', async () => {
    const d = new Daemon(sbx, ['-f', file, '--metrics-listen', 'off'], env());
    try {
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start');
      await d.settle();
      // Names through the DNS server the daemon runs on the gateway, from inside a Docker container.
      expect(eng.exec(db, ['nslookup', 'www', '10.231.0.1']).stdout).toContain('10.231.0.10');
      const restart = d.lines.length;
      eng.docker(['restart', '-t', '0', web]);
      sh('nsenter', [`--net=/proc/${eng.docker(['inspect', '-f', '{{.State.Pid}}', db]).stdout.trim()}/ns/net`, 'ip', 'addr', 'flush', 'dev', 'eth0']);
      const back = await eventually(() => addrOf(web) === '10.231.0.10' && ping(db, '10.231.0.10'), 5000);
      if (!back) console.log(d.lines.filter((l) => l.level !== 'debug' || l.msg === 'docker event').map((l) => JSON.stringify(l).slice(0, 600)).join('\n'));
      expect(back).toBe(true);
      // From the engine's start event to the pass that attached it, as the daemon logged them.
      const started = await d.waitLine((l) => l.msg === 'docker event' && l.action === 'start' && l.container === web, restart);
      const attached = await d.waitLine((l) => l.msg === 'reconcile' && JSON.stringify(l.steps).includes('veth/web/front'), restart);
      expect(Date.parse(attached.ts as string) - Date.parse(started.ts as string)).toBeLessThan(1000);
      expect(eng.exec(db, ['cat', '/etc/hosts']).stdout).toMatch(/^10\.231\.0\.10\tsite web$/m);
      expect(await eventually(() => ping(web, addrOf(db) ?? '0.0.0.0'), 5000)).toBe(true);
      // A stopped container waits; the others stay repaired.
      const from = d.lines.length;
      eng.docker(['stop', '-t', '0', db]);
      await d.waitLine((l) => l.msg === 'waiting' && l.container === 'db', from);
      sh('nsenter', [`--net=/proc/${eng.docker(['inspect', '-f', '{{.State.Pid}}', web]).stdout.trim()}/ns/net`, 'ip', 'addr', 'flush', 'dev', 'eth0']);
      expect(await eventually(() => addrOf(web) === '10.231.0.10', 5000)).toBe(true);
      // The one that did not exist is created and started: attached on its start event.
      eng.run(`${sbx.prefix}later`, ['sleep', '3600']);
      expect(await eventually(() => /10\.231\.0\.\d+/.test(eng.exec(`${sbx.prefix}later`, ['ip', '-4', 'addr', 'show', 'eth0']).stdout), 5000)).toBe(true);
      expect(await eventually(() => ping(`${sbx.prefix}later`, '10.231.0.10'), 3000)).toBe(true);
      expect(d.lines.filter((l) => l.result === 'conflict' || l.result === 'failed')).toEqual([]);
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('show says the Docker containers back by their Docker names, and that applies as a no-op', () => {
    eng.docker(['start', db]);
    expect(sbx.ctnet(['apply', '-q', '-f', file], env()).status).toBe(0);
    const shown = sbx.ctnet(['show', '-p', 'dk'], env());
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain(`docker: ${web}`);
    expect(shown.stdout).toContain(`docker: ${db}`);
    expect(shown.stdout).toContain('ipv4_address: 10.231.0.10');
    expect(shown.stdout).toMatch(/8081:80/);
    const again = sbx.topology('shown.yaml', shown.stdout);
    expect(sbx.ctnet(['plan', '-f', again, '--detailed-exitcode'], env()).status).toBe(0);
    const table = sbx.ctnet(['show', '-p', 'dk', '-o', 'table'], env()).stdout;
    expect(table).toMatch(new RegExp(`web\\s+docker:${web}\\s+front: 10\\.231\\.0\\.10`));
  });

  it("destroy leaves Docker's own network and rules as they were", () => {
    eng.docker(['start', db]);
    expect(sbx.ctnet(['destroy', '-p', 'dk']).status).toBe(0);
    inHost(['sh', '-c', 'iptables -D DOCKER-USER -i br-front -j ACCEPT && iptables -D DOCKER-USER -o br-front -j ACCEPT']);
    expect(dockerState()).toBe(dockerRules);
    expect(eng.exec(db, ['cat', '/etc/hosts']).stdout).not.toContain('ctnet');
  });

  it('imports a Compose file, and attaches the containers Compose would name', () => {
    const compose = sbx.topology('compose.yaml', `
name: {P}shop
x-common: &common
  restart: unless-stopped
services:
  app:
    <<: *common
    image: busybox
    ports: ["8090:80"]
    networks: { shop: { ipv4_address: 10.232.0.10 } }
  db:
    image: busybox
    networks: [shop]
    links: ["app:web"]
networks:
  shop:
    ipam: { config: [{ subnet: 10.232.0.0/24 }] }
`);
    const imported = sbx.ctnet(['import', 'compose', compose, '-o', `${sbx.dir}/imported.yaml`]);
    expect(imported.status).toBe(0);
    expect(imported.stderr).toBe('Wrote ' + `${sbx.dir}/imported.yaml: 1 network(s), 2 container(s).\n`);
    eng.run(`${sbx.prefix}shop-app-1`, ['httpd', '-f', '-p', '80', '-h', '/www']);
    eng.run(`${sbx.prefix}shop-db-1`, ['sleep', '3600']);
    inHost(['sh', '-c', 'iptables -I DOCKER-USER -i br-shop -j ACCEPT && iptables -I DOCKER-USER -o br-shop -j ACCEPT']);
    const r = sbx.ctnet(['apply', '-f', `${sbx.dir}/imported.yaml`], env());
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verified: the kernel matches the topology.');
    expect(eng.exec(`${sbx.prefix}shop-db-1`, ['ping', '-c1', '-W1', 'web']).status).toBe(0);
    expect(inHost(['curl', '-s', '-m', '3', 'http://127.0.0.1:8090/']).stdout).toBe('hello from docker\n');
    expect(sbx.ctnet(['destroy', '-p', `${sbx.prefix}shop`]).status).toBe(0);
    inHost(['sh', '-c', 'iptables -D DOCKER-USER -i br-shop -j ACCEPT && iptables -D DOCKER-USER -o br-shop -j ACCEPT']);
  });

  it('firewall.docker_user: ctnet adds, repairs and removes its own marked accepts in DOCKER-USER', () => {
    const opt = sbx.topology('opt.yaml', readFileSync(file, 'utf8').replace('name: dk\n', 'name: dk\nfirewall: { docker_user: true }\n'));
    const rules = () => inHost(['iptables', '-w', '-S', 'DOCKER-USER']).stdout;
    const plan = sbx.ctnet(['plan', '-f', opt], env());
    expect(plan.stderr).not.toContain('FORWARD');
    expect(plan.stdout).toContain('+ fwaccept/front');
    expect(sbx.ctnet(['apply', '-q', '-f', opt], env()).status).toBe(0);
    expect(rules()).toContain('-A DOCKER-USER -i br-front -m comment --comment "ctnet:dk:fwaccept/front" -j ACCEPT');
    expect(rules()).toContain('-A DOCKER-USER -o br-front -m comment --comment "ctnet:dk:fwaccept/front" -j ACCEPT');
    expect(ping(db, '10.231.0.10')).toBe(true);
    // Someone deletes one: it is drift, repaired by the next apply.
    inHost(['iptables', '-w', '-D', 'DOCKER-USER', '-o', 'br-front', '-m', 'comment', '--comment', 'ctnet:dk:fwaccept/front', '-j', 'ACCEPT']);
    expect(sbx.ctnet(['plan', '-f', opt], env()).stdout).toContain('fwaccept/front  drifted');
    expect(sbx.ctnet(['apply', '-q', '-f', opt], env()).status).toBe(0);
    expect(ping(db, '10.231.0.10')).toBe(true);
    expect(sbx.ctnet(['show', '-p', 'dk'], env()).stdout).toContain('docker_user: true');
    // Destroy takes them along; Docker's chains are as they were.
    expect(sbx.ctnet(['destroy', '-p', 'dk']).status).toBe(0);
    expect(rules()).not.toContain('ctnet');
    expect(dockerState()).toBe(dockerRules);
  });
});
