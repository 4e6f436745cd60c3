// Projects on one sandbox host (TOPOLOGY.md "Projects", "One writer at a time"), with real traffic:
// two projects with published ports and isolation; destroying or tampering with one leaves the
// other's pings, ports and rules exactly as they were; another project in the way is refused before
// any change, naming it; `ls` and `plan --destroy -p`; concurrent applies of two projects; while
// `ctnet watch` manages one project, apply of it is refused naming the daemon and another project
// can still be applied (and the daemon leaves it alone).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { HOST_IP, makeOutside, nftText } from '../helpers/outside.js';
import { isRoot, ping, rootTitle, sh } from '../helpers/sandbox.js';
import { ask, ready, Servers } from '../helpers/traffic.js';
import { Daemon, sleep } from './watch-daemon.js';

const SHOP = `version: 1
name: {P}shop
networks: { front: { subnet: 10.246.1.0/24, bridge_name: {P}front } }
containers:
  s1: { netns: {P}s1, create: true, networks: { front: { ipv4_address: 10.246.1.10 } }, ports: ["8080:80"] }
  s2: { netns: {P}s2, create: true, networks: { front: { ipv4_address: 10.246.1.11 } } }
`;
const BLOG = `version: 1
name: {P}blog
networks: { pub: { subnet: 10.246.2.0/24, bridge_name: {P}pub } }
containers:
  b1: { netns: {P}b1, create: true, networks: { pub: { ipv4_address: 10.246.2.10 } }, ports: ["8081:80"] }
  b2: { netns: {P}b2, create: true, networks: { pub: { ipv4_address: 10.246.2.11 } }, links: ["b1:db"] }
`;

describe.skipIf(!isRoot)(rootTitle('projects on one host'), () => {
  const sbx = new Sandbox('j');
  const servers = new Servers();
  const P = sbx.prefix;
  const [h, o] = [`${P}h`, `${P}o`];
  let shop = '';
  let blog = '';
  /** What the blog project has on the host: its table, its bridge, its containers' view. */
  const blogState = () => [nftText(h, 'table', 'inet', `ctnet-${P}blog`), sh('ip', ['-n', h, '-j', 'addr', 'show', 'dev', `${P}pub`]).stdout,
    readFileSync(`/etc/netns/${P}b2/hosts`, 'utf8'),
    sbx.snapshot(`${P}b1`), sbx.snapshot(`${P}b2`)].join('\n').replaceAll('"tentative":true,', ''); // DAD is the kernel's timing
  const blogWorks = () => {
    expect(ask(o, 'tcp', HOST_IP, 8081)).toMatch(/^b1 198\.51\.100\.2$/);
    expect(ping(`${P}b2`, '10.246.2.10')).toBe(true);
    expect(ask(`${P}b2`, 'tcp', '10.246.2.10', 80)).toMatch(/^b1 10\.246\.2\.11$/);
    expect(readFileSync(`/etc/netns/${P}b2/hosts`, 'utf8')).toMatch(/^10\.246\.2\.10\s+db b1$/m); // names: the link
  };

  beforeAll(async () => {
    sbx.create();
    makeOutside(h, o, `${P}x`);
    shop = sbx.topology('shop.yaml', SHOP);
    blog = sbx.topology('blog.yaml', BLOG);
    for (const f of [shop, blog]) {
      const r = sbx.ctnet(['apply', '-q', '-f', f]);
      expect(r.status, r.stderr).toBe(0);
    }
    servers.start(`${P}s1`, 's1', 'tcp', 80);
    servers.start(`${P}b1`, 'b1', 'tcp', 80);
    await ready(o, 'tcp', HOST_IP, 8080);
    await ready(o, 'tcp', HOST_IP, 8081);
  });
  afterAll(() => {
    servers.stop();
    sbx.destroy();
  });

  it('both projects answer on their ports; each plans empty; they are isolated from each other', () => {
    expect(ask(o, 'tcp', HOST_IP, 8080)).toMatch(/^s1 198\.51\.100\.2$/);
    blogWorks();
    for (const f of [shop, blog]) expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', f]).status).toBe(0);
    // Isolation between networks of different projects, both ways.
    expect(ping(`${P}s2`, '10.246.2.10')).toBe(false);
    expect(ping(`${P}b2`, '10.246.1.10')).toBe(false);
    expect(ask(`${P}b2`, 'tcp', '10.246.1.10', 80, 1)).toBe('');
  });

  it('ls lists both with what they hold; plan --destroy -p shows one project and changes nothing', () => {
    const ls = JSON.parse(sbx.ctnet(['ls', '--json']).stdout) as { projects: { name: string; networks: string[]; containers: string[]; ports: number }[] };
    const mine = ls.projects.filter((p) => p.name.startsWith(P));
    expect(mine.map((p) => [p.name, p.networks, p.ports])).toEqual([[`${P}blog`, ['pub'], 1], [`${P}shop`, ['front'], 1]]);
    const table = sbx.ctnet(['ls']).stdout;
    expect(table).toMatch(new RegExp(`^PROJECT\\s+NETWORKS\\s+CONTAINERS\\s+PORTS\\s+MANAGED BY\\n`));
    expect(table).toMatch(new RegExp(`\\n${P}shop\\s+1\\s+2\\s+1\\s+-`));
    const tables = sbx.ctnet(['show', '-p', `${P}shop`, '-o', 'table']).stdout;
    expect(tables).toMatch(new RegExp(`^NETWORK\\s+BRIDGE\\s+SUBNET\\s+GATEWAY\\s+CONTAINERS\\nfront\\s+${P}front\\s+10\\.246\\.1\\.0/24\\s+10\\.246\\.1\\.1\\s+2\\n`));
    expect(tables).toMatch(/\ns1\s+\S+s1\s+front: 10\.246\.1\.10\s+8080:80\/tcp(\n|$)/);
    const shown = sbx.ctnet(['show', '-p', `${P}shop`]).stdout;
    expect(shown).toMatch(new RegExp(`^version: 1\nname: ${P}shop\n`));
    expect(shown).toContain('front:');
    expect(shown).not.toContain('pub:');
    // The graph of a project on the host: drawn from the kernel exactly as from a file.
    const dot = sbx.ctnet(['graph', '-p', `${P}shop`]).stdout;
    expect(dot).toMatch(/^digraph "ctnet .*shop" \{/);
    expect(dot).toContain('"ctr:s1" [label="s1\\n10.246.1.10\\n8080→80/tcp"]');
    expect(dot).not.toContain('ctr:b1');
    const snap = sbx.snapshot();
    const p = sbx.ctnet(['plan', '--destroy', '-p', `${P}shop`]);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain(`bridge/front`);
    expect(p.stdout).not.toContain('bridge/pub');
    expect(sbx.snapshot()).toBe(snap);
    const empty = sbx.ctnet(['destroy', '-p', `${P}none`]);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toMatch(new RegExp(`Nothing to destroy: project "${P}none" has nothing on this host\\. Projects on this host: .*${P}blog, ${P}shop`));
  });

  it('another project in the way is refused before any change, naming it', () => {
    const snap = sbx.snapshot();
    const cases: [string, RegExp][] = [
      [`networks: { n: { subnet: 10.246.3.0/24, bridge_name: {P}n } }\ncontainers: { c: { netns: {P}c, create: true, networks: [n], ports: ["8080:80"] } }`,
        new RegExp(`host port 8080/tcp of container "c" is already published by ctnet project "${P}shop"`)],
      [`networks: { n: { subnet: 10.246.3.0/24, bridge_name: {P}front } }`, new RegExp(`link "${P}front" of ctnet project "${P}shop"`)],
      [`networks: { n: { subnet: 10.246.1.0/25, bridge_name: {P}n } }`, new RegExp(`overlaps 10\\.246\\.1\\.1/24 on bridge "${P}front" of ctnet project "${P}shop"`)],
      [`networks: { n: { subnet: 10.246.3.0/24, bridge_name: {P}n } }\ncontainers: { c: { netns: {P}s1, create: true, networks: [n] } }`,
        new RegExp(`namespace "/run/netns/${P}s1" of container "c" belongs to ctnet project "${P}shop"`)],
    ];
    for (const [body, expected] of cases) {
      const r = sbx.ctnet(['apply', '-q', '-f', sbx.topology('third.yaml', `version: 1\nname: {P}third\n${body}\n`)]);
      expect(r.status, body).toBe(1);
      expect(r.stderr).toMatch(expected);
      expect(sbx.snapshot()).toBe(snap);
    }
    expect(nftText(h, 'table', 'inet', `ctnet-${P}third`)).toBe('');
  });

  it('tampering with one project and repairing it leaves the other untouched', () => {
    const before = blogState();
    sh('ip', ['-n', h, 'link', 'set', `${P}front`, 'down']);
    sh('nft', ['flush', 'table', 'inet', `ctnet-${P}shop`], { ns: h });
    const r = sbx.ctnet(['apply', '-q', '-f', shop]);
    expect(r.status, r.stderr).toBe(0);
    expect(ask(o, 'tcp', HOST_IP, 8080)).toMatch(/^s1 /);
    expect(blogState()).toBe(before);
    blogWorks();
  });

  it('destroying one project leaves the other byte for byte, its ports, pings and isolation working', () => {
    const before = blogState();
    const r = sbx.ctnet(['destroy', '-p', `${P}shop`]);
    expect(r.status, r.stderr).toBe(0);
    expect(sbx.netnsList()).toEqual([`${P}b1`, `${P}b2`, o].sort());
    expect(nftText(h, 'table', 'inet', `ctnet-${P}shop`)).toBe('');
    expect(blogState()).toBe(before);
    blogWorks();
    expect(ask(o, 'tcp', HOST_IP, 8080, 1)).toBe('');
  });

  it('two applies of different projects at once both converge', async () => {
    const a = sbx.spawnCtnet(['apply', '-q', '-f', shop], { CTNET_SLOW_STEP_MS: '20' });
    const b = sbx.spawnCtnet(['apply', '-q', '-f', blog]);
    const [[ca], [cb]] = await Promise.all([once(a, 'exit'), once(b, 'exit')]);
    expect([ca, cb]).toEqual([0, 0]);
    for (const f of [shop, blog]) expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', f]).status).toBe(0);
    servers.start(`${P}s1`, 's1', 'tcp', 80); // its namespace is new: the old server went with the old one
  });

  it('while watch manages one project, apply of it is refused naming the daemon; another project applies and is left alone', async () => {
    const d = new Daemon(sbx, ['-f', blog, '--metrics-listen', 'off']);
    try {
      await d.waitLine((l) => l.msg === 'reconcile' && l.trigger === 'start', 0, 20_000);
      const snap = sbx.snapshot();
      const refused = sbx.ctnet(['apply', '-q', '-f', blog]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`ctnet watch (pid ${d.proc.pid}, files ${blog}) manages project "${P}blog" on this host`);
      expect(sbx.ctnet(['destroy', '-p', `${P}blog`]).status).toBe(1);
      expect(sbx.snapshot()).toBe(snap);
      expect(sbx.ctnet(['ls']).stdout).toMatch(new RegExp(`\\n${P}blog\\s+1\\s+2\\s+1\\s+ctnet watch \\(pid ${d.proc.pid}\\)`));
      // Another project: applied while the daemon runs, and the daemon's passes leave it be.
      const from = d.lines.length;
      expect(sbx.ctnet(['destroy', '-p', `${P}shop`]).status).toBe(0);
      expect(sbx.ctnet(['apply', '-q', '-f', shop]).status).toBe(0);
      sh('ip', ['-n', h, 'link', 'set', `${P}pub`, 'down']); // drift in the watched project: a pass runs
      await d.waitLine((l) => l.msg === 'reconcile' && l.result === 'converged' && (l.steps as unknown[]).length > 0, from, 10_000);
      await sleep(300);
      expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', shop]).status).toBe(0);
      servers.start(`${P}s1`, 's1', 'tcp', 80);
      await ready(o, 'tcp', HOST_IP, 8080);
      blogWorks();
    } finally {
      await d.stop();
    }
  }, 60_000);
});

describe.skipIf(!isRoot)(rootTitle('reasons in a plan: changed or drifted'), () => {
  const sbx = new Sandbox('r');
  const topo = (mtu: number) => `version: 1\nname: {P}r\nnetworks: { n: { subnet: 10.246.9.0/24, bridge_name: {P}n, mtu: ${mtu} } }\n`;
  beforeAll(() => { sbx.create(); });
  afterAll(() => sbx.destroy());

  it('an edit of the topology reads "changed", the kernel moving reads "drifted"', () => {
    const f = sbx.topology('r.yaml', topo(1500));
    expect(sbx.ctnet(['apply', '-q', '-f', f]).status).toBe(0);
    sbx.topology('r.yaml', topo(1400));
    expect(sbx.ctnet(['plan', '-f', f]).stdout).toMatch(/~ bridge\/n\s+changed \(mtu 1500 -> 1400\)/);
    sbx.topology('r.yaml', topo(1500));
    sh('ip', ['-n', sbx.hostNs, 'link', 'set', `${sbx.prefix}n`, 'mtu', '1300']);
    expect(sbx.ctnet(['plan', '-f', f]).stdout).toMatch(/~ bridge\/n\s+drifted \(mtu 1300 -> 1500\)/);
    // Applied, the record follows the topology: the same edit again is "changed" against the new record.
    expect(sbx.ctnet(['apply', '-q', '-f', f]).status).toBe(0);
    sbx.topology('r.yaml', topo(1400));
    expect(sbx.ctnet(['plan', '-f', f]).stdout).toMatch(/~ bridge\/n\s+changed/);
  });
});

describe.skipIf(!isRoot)(rootTitle('watch -f DIR manages every project its files name'), () => {
  const sbx = new Sandbox('w');
  const P = sbx.prefix;
  const net = (name: string, n: number) => `version: 1\nname: {P}${name}\nnetworks: { n${n}: { subnet: 10.246.${20 + n}.0/24, bridge_name: {P}n${n} } }\n` +
    `containers:\n  c${n}: { netns: {P}c${n}, create: true, networks: [n${n}] }\n`;
  beforeAll(() => { sbx.create(); });
  afterAll(() => sbx.destroy());

  it('starts one daemon per project, removes a project whose file goes, adds one that appears, never touches another', async () => {
    const dir = `${sbx.dir}/topo`;
    sh('mkdir', ['-p', dir]);
    sbx.topology('topo/a.yaml', net('a', 1));
    sbx.topology('topo/b.yaml', net('b', 2));
    // A project applied by hand, not in the daemon's files: it must survive every pass and resync.
    const other = sbx.topology('other.yaml', net('other', 3));
    expect(sbx.ctnet(['apply', '-q', '-f', other]).status).toBe(0);
    const before = sbx.snapshot(`${P}c3`);
    const d = new Daemon(sbx, ['-f', dir, '--metrics-listen', 'off', '--resync', '1']);
    try {
      for (const p of ['a', 'b']) await d.waitLine((l) => l.msg === 'reconcile' && l.project === `${P}${p}` && l.result === 'converged', 0, 20_000);
      const ls = sbx.ctnet(['ls']).stdout;
      for (const p of ['a', 'b']) expect(ls).toMatch(new RegExp(`\\n${P}${p}\\s+1\\s+1\\s+0\\s+ctnet watch \\(pid ${d.proc.pid}\\)`));
      expect(ls).toMatch(new RegExp(`\\n${P}other\\s+1\\s+1\\s+0\\s+-`));
      expect(sbx.ctnet(['apply', '-q', '-f', `${dir}/a.yaml`]).status).toBe(1);
      expect(ping(`${P}c1`, '10.246.21.1')).toBe(true);
      // b's file goes: the daemon removes project b, and only it.
      let from = d.lines.length;
      sh('rm', [`${dir}/b.yaml`]);
      await d.waitLine((l) => l.msg === 'project removed' && l.project === `${P}b`, from, 10_000);
      expect(sbx.netnsList()).not.toContain(`${P}c2`);
      expect(sbx.ctnet(['ls']).stdout).not.toContain(`${P}b `);
      // A new project's file appears: a daemon for it converges it.
      from = d.lines.length;
      sbx.topology('topo/e.yaml', net('e', 5));
      await d.waitLine((l) => l.msg === 'reconcile' && l.project === `${P}e` && l.result === 'converged', from, 10_000);
      expect(ping(`${P}c5`, '10.246.25.1')).toBe(true);
      await sleep(1500); // a resync of every daemon
      expect(sbx.snapshot(`${P}c3`)).toBe(before);
      expect(sbx.ctnet(['plan', '--detailed-exitcode', '-f', other]).status).toBe(0);
      expect(ping(`${P}c1`, '10.246.21.1')).toBe(true);
    } finally {
      await d.stop();
    }
  }, 60_000);
});
