// `ctnet show` prints what ctnet owns as a topology that plans empty against the
// host, including what lives in ctnet's nftables table (published ports, internal,
// masquerade, icc, allow_from) and peer routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, sh } from '../helpers/sandbox.js';

const TOPO = `
version: 1
networks:
  front: { subnet: 10.207.0.0/24 }
  back: { subnet: 10.208.0.0/24, internal: true }
  mid: { subnet: 10.209.0.0/24, icc: false, masquerade: false, allow_from: [front] }
containers:
  a:
    netns: {P}a
    create: true
    networks: [front]
    ports: ["8080:80", "127.0.0.1:8443:443/tcp", "5353:53/udp", "9000-9001:7000-7001", "80"]
  b:
    netns: {P}b
    create: true
    networks: [back]
  c:
    netns: {P}c
    create: true
    networks: [mid]
peers:
  server2: { via: 192.168.100.201, subnets: [172.18.0.0/16, 172.19.0.0/16] }
`;

describe.skipIf(!isRoot)(rootTitle('show'), () => {
  const sbx = new Sandbox('v');
  let shown: Record<string, any> = {};

  beforeAll(() => {
    sbx.create();
    // the host's uplink toward the peer (foreign to ctnet)
    sh('ip', ['-n', sbx.hostNs, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'uplink-p']);
    sh('ip', ['-n', sbx.hostNs, 'addr', 'add', '192.168.100.200/24', 'dev', 'uplink']);
    sh('ip', ['-n', sbx.hostNs, 'link', 'set', 'uplink', 'up']);
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', TOPO)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = sbx.ctnet(['show']);
    expect(s.status).toBe(0);
    shown = parse(s.stdout);
  });
  afterAll(() => sbx.destroy());

  it('renders ports, firewall flags and peers in the user\'s own words', () => {
    expect(shown.containers.a.ports).toEqual(expect.arrayContaining(['8080:80/tcp', '127.0.0.1:8443:443/tcp', '5353:53/udp', '9000:7000/tcp', '9001:7001/tcp']));
    expect(shown.containers.a.ports).toHaveLength(6); // + the automatic host port for "80"
    expect(shown.networks.back.internal).toBe(true);
    expect(shown.networks.mid).toMatchObject({ icc: false, masquerade: false, allow_from: ['front'] });
    expect(shown.networks.front.internal).toBeUndefined();
    expect(Object.values<any>(shown.peers)).toEqual([{ via: '192.168.100.201', subnets: ['172.18.0.0/16', '172.19.0.0/16'], dev: 'uplink' }]);
  });

  it('plans empty against the host it was read from', () => {
    const f = sbx.topology('shown.yaml', JSON.stringify(shown));
    expect(sbx.ctnet(['validate', '-f', f]).status).toBe(0);
    const p = sbx.ctnet(['plan', '-f', f, '--detailed-exitcode']);
    expect(p.stdout).toContain('No changes');
    expect(p.status).toBe(0);
  });
});
