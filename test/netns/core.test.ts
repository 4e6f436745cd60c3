// The core path against the real kernel: apply a topology inside a sandbox
// host, check with real packets, re-plan empty, show round-trips, destroy
// leaves the sandbox exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, ping, sh } from '../helpers/sandbox.js';

const TOPO = `
version: 1
networks:
  web:
    subnet: 10.201.0.0/24
    ipv6_subnet: fd00:201::/64
containers:
  a:
    netns: {P}a
    create: true
    networks:
      web: { ipv4_address: 10.201.0.10, ipv6_address: "fd00:201::10" }
  b:
    netns: {P}b
    create: true
    networks: [web]
  sealed:
    netns: {P}s
    create: true
    network_mode: none
`;

describe.skipIf(!isRoot)(rootTitle('core apply in a sandbox host'), () => {
  const sbx = new Sandbox('c');
  let file = '';
  let before = '';

  beforeAll(() => {
    sbx.create();
    file = sbx.topology('topo.yaml', TOPO);
    before = sbx.snapshot();
  });
  afterAll(() => sbx.destroy());

  it('validates and plans creates without touching the kernel', () => {
    expect(sbx.ctnet(['validate', '-f', file]).status).toBe(0);
    const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(2);
    expect(p.stdout).toContain('bridge/web');
    expect(sbx.snapshot()).toBe(before);
    expect(sbx.netnsList()).toEqual([]);
  });

  it('applies, and containers reach each other and the gateway with real packets', () => {
    const r = sbx.ctnet(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(sbx.netnsList()).toEqual([`${sbx.prefix}a`, `${sbx.prefix}b`, `${sbx.prefix}s`].sort());
    const a = `${sbx.prefix}a`, b = `${sbx.prefix}b`;
    expect(ping(a, '10.201.0.1')).toBe(true);           // gateway on the bridge
    const bAddr = JSON.parse(sh('ip', ['-n', b, '-j', '-4', 'addr', 'show', 'eth0']).stdout)[0].addr_info[0].local;
    expect(bAddr).toBe('10.201.0.2');                    // first free address after the gateway
    expect(ping(a, bAddr)).toBe(true);
    expect(ping(b, '10.201.0.10')).toBe(true);
    expect(ping(b, 'fd00:201::10')).toBe(true);          // IPv6 on the dual-stack network
    // default route via the gateway, marked with ctnet's protocol
    const routes = JSON.parse(sh('ip', ['-n', a, '-j', 'route', 'show', 'default']).stdout);
    expect(routes[0]).toMatchObject({ gateway: '10.201.0.1', dev: 'eth0' });
    // none mode: only lo, up
    const sLinks = JSON.parse(sh('ip', ['-n', `${sbx.prefix}s`, '-j', 'link']).stdout);
    expect(sLinks.map((l: { ifname: string }) => l.ifname)).toEqual(['lo']);
    expect(sLinks[0].flags).toContain('UP');
  });

  it('makes each veth end with one queue each way, the count the kernel would shrink it to anyway', () => {
    // run-link.ts createVeth: without these attributes the kernel allocates a queue per possible CPU and then
    // shrinks to one, waiting for an expedited RCU grace period per end.
    const queues = (ns: string, dev: string) => {
      const [l] = JSON.parse(sh('ip', ['-n', ns, '-d', '-j', 'link', 'show', 'dev', dev]).stdout);
      return [l.num_tx_queues, l.num_rx_queues];
    };
    const hostEnds = JSON.parse(sh('ip', ['-n', sbx.hostNs, '-d', '-j', 'link']).stdout).filter((l: { linkinfo?: { info_kind?: string } }) =>
      l.linkinfo?.info_kind === 'veth');
    expect(hostEnds).toHaveLength(2);
    for (const l of hostEnds) expect(queues(sbx.hostNs, l.ifname)).toEqual([1, 1]);
    expect(queues(`${sbx.prefix}a`, 'eth0')).toEqual([1, 1]);
    expect(queues(`${sbx.prefix}b`, 'eth0')).toEqual([1, 1]);
  });

  it('plans no changes once converged', () => {
    const p = sbx.ctnet(['plan', '-f', file, '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
    expect(p.status).toBe(0);
    const again = sbx.ctnet(['apply', '-f', file]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('show prints a topology that plans empty against the host', () => {
    const shown = sbx.ctnet(['show']);
    expect(shown.status).toBe(0);
    const f = sbx.topology('shown.yaml', shown.stdout);
    expect(sbx.ctnet(['validate', '-f', f]).status).toBe(0);
    const p = sbx.ctnet(['plan', '-f', f, '--detailed-exitcode']);
    expect(p.stdout + p.stderr).toContain('No changes');
    expect(p.status).toBe(0);
  });

  it('destroy removes everything ctnet made, and only that', () => {
    const d = sbx.ctnet(['destroy']);
    expect(d.status).toBe(0);
    expect(sbx.netnsList()).toEqual([]);
    expect(sbx.snapshot()).toBe(before);
    expect(sbx.ctnet(['destroy']).stdout).toContain('Nothing to destroy');
  });
});
