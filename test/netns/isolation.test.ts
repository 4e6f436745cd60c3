// Masquerade, internal networks, icc:false and isolation between networks with
// allow_from, with real TCP traffic; every negative has a positive control in the
// same test. Run with bridge-nf-call-iptables at 1 and at 0; a network with
// icc:false needs it at 1 (bridged frames reach inet hooks only then), so ctnet
// sets it, and the test checks that it did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { HOST_IP, makeOutside, OUTSIDE_IP } from '../helpers/outside.js';
import { isRoot, rootTitle, ping, sh } from '../helpers/sandbox.js';
import { ask, ready, Servers } from '../helpers/traffic.js';

const TOPO = (icc: boolean) => `
version: 1
networks:
  front: { subnet: 10.241.0.0/24 }
  back: { subnet: 10.242.0.0/24, allow_from: [front] }
  other: { subnet: 10.243.0.0/24 }
  sealed: { subnet: 10.244.0.0/24, internal: true }
${icc ? '  quiet: { subnet: 10.245.0.0/24, icc: false }' : ''}
containers:
  f: { netns: "{P}f", create: true, networks: { front: { ipv4_address: 10.241.0.10 } } }
  f2: { netns: "{P}g", create: true, networks: { front: { ipv4_address: 10.241.0.11 } } }
  b: { netns: "{P}b", create: true, networks: { back: { ipv4_address: 10.242.0.10 } } }
  o: { netns: "{P}o2", create: true, networks: { other: { ipv4_address: 10.243.0.10 } } }
  s: { netns: "{P}s", create: true, networks: { sealed: { ipv4_address: 10.244.0.10 } } }
  s2: { netns: "{P}t", create: true, networks: { sealed: { ipv4_address: 10.244.0.11 } } }
${icc ? `  q1: { netns: "{P}q", create: true, networks: { quiet: { ipv4_address: 10.245.0.10 } } }
  q2: { netns: "{P}r", create: true, networks: { quiet: { ipv4_address: 10.245.0.11 } } }` : ''}
`;

describe.skipIf(!isRoot).each([[1, false], [0, false], [0, true]])(rootTitle('isolation (bridge-nf-call-iptables=%i, icc:false network %s)'), (bnf, icc) => {
  const sbx = new Sandbox(`s${bnf}${icc ? 'q' : ''}`);
  const servers = new Servers();
  const n = (s: string) => `${sbx.prefix}${s}`;

  beforeAll(async () => {
    sbx.create();
    makeOutside(n('h'), n('o'), n('x'));
    sh('sysctl', ['-qw', `net.bridge.bridge-nf-call-iptables=${bnf}`], { ns: n('h') });
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', TOPO(icc))]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    servers.start(n('o'), 'outside', 'tcp', 7000);
    for (const c of ['f', 'g', 'b', 'o2', 's', 't', ...(icc ? ['q', 'r'] : [])]) servers.start(n(c), c, 'tcp', 80);
    await ready(n('o'), 'tcp', '127.0.0.1', 7000);
    await ready(n('f'), 'tcp', '127.0.0.1', 80);
  });
  afterAll(() => { servers.stop(); sbx.destroy(); });

  it('masquerades container traffic to outside with the host address', () => {
    expect(ask(n('f'), 'tcp', OUTSIDE_IP, 7000)).toBe(`outside ${HOST_IP}`);
    expect(ask(n('b'), 'tcp', OUTSIDE_IP, 7000)).toBe(`outside ${HOST_IP}`);
  });

  it('containers of one network reach each other (icc default)', () => {
    expect(ask(n('f'), 'tcp', '10.241.0.11', 80)).toMatch(/^g /);
  });

  it('isolates networks by default; allow_from opens one direction', () => {
    expect(ask(n('f'), 'tcp', '10.242.0.10', 80)).toMatch(/^b /);   // back allows front
    expect(ask(n('b'), 'tcp', '10.241.0.10', 80)).toBe('');         // not the other way
    expect(ask(n('f'), 'tcp', '10.243.0.10', 80)).toBe('');         // other allows nobody
    expect(ask(n('o2'), 'tcp', '10.241.0.10', 80)).toBe('');
    expect(ask(n('o2'), 'tcp', OUTSIDE_IP, 7000)).toBe(`outside ${HOST_IP}`); // but it still goes out
  });

  it('outside cannot reach container addresses directly (only published ports)', () => {
    sh('ip', ['-n', n('o'), 'route', 'add', '10.240.0.0/12', 'via', HOST_IP]);
    expect(ask(n('o'), 'tcp', '10.241.0.10', 80)).toBe('');
    expect(ask(n('h'), 'tcp', '10.241.0.10', 80)).toMatch(/^f /);   // the host itself can
  });

  it('internal: nothing leaves or enters the bridge, inside it works', () => {
    expect(ask(n('s'), 'tcp', '10.244.0.11', 80)).toMatch(/^t /);
    expect(ping(n('s'), '10.244.0.1')).toBe(true);
    expect(ask(n('s'), 'tcp', OUTSIDE_IP, 7000)).toBe('');
    expect(ask(n('s'), 'tcp', '10.241.0.10', 80)).toBe('');
    expect(ask(n('f'), 'tcp', '10.244.0.10', 80)).toBe('');
  });

  it.runIf(icc)('icc:false blocks containers of one network from each other, and turns bridge-nf-call-iptables on', () => {
    expect(sh('sysctl', ['-n', 'net.bridge.bridge-nf-call-iptables'], { ns: n('h') }).stdout.trim()).toBe('1');
    expect(ask(n('q'), 'tcp', '10.245.0.11', 80)).toBe('');
    expect(ask(n('q'), 'tcp', OUTSIDE_IP, 7000)).toBe(`outside ${HOST_IP}`);
    expect(ping(n('q'), '10.245.0.1')).toBe(true);
  });

  it('a second plan is empty', () => {
    const p = sbx.ctnet(['plan', '-f', `${sbx.dir}/t.yaml`, '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
  });
});
