// Live changes touch only what changed: connecting and disconnecting a second
// network, changing a live network's MTU, and removing a container keep the
// other containers' links (same ifindex) and traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/ctnet.js';
import { isRoot, rootTitle, ping, sh } from '../helpers/sandbox.js';

const base = (extra: { mtu?: number; connect?: boolean; withC?: boolean }) => `
version: 1
networks:
  front: { subnet: 10.204.0.0/24, mtu: ${extra.mtu ?? 1500} }
  back: { subnet: 10.205.0.0/24 }
containers:
  a:
    netns: {P}a
    create: true
    networks:
      front: { ipv4_address: 10.204.0.10 }${extra.connect ? '\n      back: { ipv4_address: 10.205.0.10 }' : ''}
  b:
    netns: {P}b
    create: true
    networks:
      front: { ipv4_address: 10.204.0.11 }
      back: { ipv4_address: 10.205.0.11 }
${extra.withC === false ? '' : `  c:
    netns: {P}c
    create: true
    networks:
      front: { ipv4_address: 10.204.0.12 }`}
`;

function link(ns: string, dev: string): { ifindex: number; mtu: number } {
  return JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show', dev]).stdout)[0];
}

describe.skipIf(!isRoot)(rootTitle('live changes'), () => {
  const sbx = new Sandbox('l');
  const ns = (n: string) => `${sbx.prefix}${n}`;
  const apply = (yaml: string) => {
    const r = sbx.ctnet(['apply', '-f', sbx.topology('t.yaml', yaml)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  beforeAll(() => {
    sbx.create();
    apply(base({}));
  });
  afterAll(() => sbx.destroy());

  it('connects a second network to a running container without touching its first link', () => {
    const eth0 = link(ns('a'), 'eth0');
    expect(ping(ns('a'), '10.205.0.11')).toBe(false); // not on back yet (no route to it)
    apply(base({ connect: true }));
    expect(link(ns('a'), 'eth0').ifindex).toBe(eth0.ifindex);
    expect(link(ns('a'), 'eth1')).toBeTruthy();
    expect(ping(ns('a'), '10.205.0.11')).toBe(true);
  });

  it('disconnects it again; eth0 and the other containers keep their links', () => {
    const eth0 = link(ns('a'), 'eth0');
    const bEth1 = link(ns('b'), 'eth1');
    apply(base({ connect: false }));
    expect(sh('ip', ['-n', ns('a'), 'link', 'show', 'eth1'], { allowFail: true }).status).not.toBe(0);
    expect(link(ns('a'), 'eth0').ifindex).toBe(eth0.ifindex);
    expect(link(ns('b'), 'eth1').ifindex).toBe(bEth1.ifindex);
    expect(ping(ns('a'), '10.204.0.11')).toBe(true);
  });

  it('changes the MTU of a live network in place', () => {
    const before = link(ns('b'), 'eth0');
    const out = apply(base({ mtu: 1400 }));
    expect(out).toContain('mtu');
    const after = link(ns('b'), 'eth0');
    expect(after.ifindex).toBe(before.ifindex);
    expect(after.mtu).toBe(1400);
    expect(ping(ns('b'), '10.204.0.10')).toBe(true);
  });

  it('removes a container and its namespace, leaving the others untouched', () => {
    const aEth0 = link(ns('a'), 'eth0');
    apply(base({ mtu: 1400, withC: false }));
    expect(sbx.netnsList()).toEqual([ns('a'), ns('b')]);
    expect(link(ns('a'), 'eth0').ifindex).toBe(aEth0.ifindex);
    expect(ping(ns('a'), '10.204.0.11')).toBe(true);
    expect(sbx.ctnet(['plan', '-f', sbx.topology('t.yaml', base({ mtu: 1400, withC: false })), '--detailed-exitcode']).status).toBe(0);
  });
});
