import { describe, expect, it } from 'vitest';
import { LOCALHOST_LINES } from '../model/hosts-block.js';
import { hostsKey, resolvKey } from '../model/keys.js';
import type { HostsFileObj } from '../model/state.js';
import { checkTexts, compile } from './index.js';

const yaml = `version: 1
networks:
  front: { subnet: 10.30.0.0/24, ipv6_subnet: "fd00:30::/64", dns: true }
  back: { subnet: 10.31.0.0/24 }
containers:
  web1:
    netns: web1
    networks:
      front: { ipv4_address: 10.30.0.10, aliases: [nginx-web1] }
      back: { ipv4_address: 10.31.0.10 }
    links: [web2, "db:database"]
  web2:
    netns: web2
    networks:
      front: { ipv4_address: 10.30.0.20, ipv6_address: "fd00:30::20" }
  db:
    netns: db
    networks:
      back: { ipv4_address: 10.31.0.30 }
  plain:
    netns: plain
    networks: [back]
`;

const compileText = (text: string) => {
  const r = checkTexts([{ file: 'topology.yaml', text }]);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return compile(r.topology!, undefined);
};

describe('compile: names', () => {
  it('writes own names with aliases on each network, then links with Docker\'s "IP alias name" order', () => {
    const d = compileText(yaml);
    const h = d.objects.get(hostsKey('web1')) as HostsFileObj;
    expect(h).toMatchObject({ kind: 'hosts', ns: 'host', path: '/etc/netns/web1/hosts', header: LOCALHOST_LINES });
    expect(h.block.split('\n')).toEqual([
      '10.30.0.10\tweb1 nginx-web1',
      'fd00:30::2\tweb1 nginx-web1',   // automatic IPv6 on the dual-stack network
      '10.31.0.10\tweb1',
      '10.30.0.20\tweb2',          // link resolves on the first shared network
      'fd00:30::20\tweb2',
      '10.31.0.30\tdatabase db',    // "db:database": alias first, like docker --link
    ]);
    expect(d.origin.get(hostsKey('web1'))).toMatchObject({ path: 'containers.web1.links' });
  });

  it('manages hosts files only for containers with links, aliases or an explicit hosts_file', () => {
    const d = compileText(yaml + '  pinned:\n    pid: 99\n    hosts_file: /srv/pinned-hosts\n    networks: [back]\n');
    expect(d.objects.has(hostsKey('web2'))).toBe(false);
    expect(d.objects.has(hostsKey('plain'))).toBe(false);
    expect(d.objects.get(hostsKey('pinned'))).toMatchObject({ path: '/srv/pinned-hosts', block: expect.stringMatching(/^10\.31\.0\.\d+\tpinned$/) });
  });

  it('points resolv.conf at the gateway of each dns network of a named namespace', () => {
    const d = compileText(yaml);
    expect(d.objects.get(resolvKey('web1'))).toEqual({ kind: 'hosts', key: 'resolv/web1', owner: { container: 'web1' }, ns: 'host', path: '/etc/netns/web1/resolv.conf', block: 'nameserver 10.30.0.1' });
    expect(d.objects.has(resolvKey('db'))).toBe(false); // back has no dns
  });

  it('follows an automatic address: the linked container\'s new address is in the block', () => {
    const moved = compileText(yaml.replace('front: { ipv4_address: 10.30.0.20,', 'front: { ipv4_address: 10.30.0.21,'));
    expect((moved.objects.get(hostsKey('web1')) as HostsFileObj).block).toContain('10.30.0.21\tweb2');
  });
});

describe('rules: links and aliases', () => {
  const bad = (text: string) => checkTexts([{ file: 'topology.yaml', text }]).diagnostics.filter((d) => d.severity === 'error');

  it('rejects a link to a container that shares no network, at the link', () => {
    const ds = bad(yaml.replace('links: [web2, "db:database"]', 'links: [web2]').replace('      front: { ipv4_address: 10.30.0.10, aliases: [nginx-web1] }\n', ''));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ path: 'containers.web1.links.0', line: 10, message: expect.stringMatching(/"web2" shares no network with "web1"/) });
    expect(ds[0].hint).toMatch(/attach "web2" to "back"/);
  });

  it('rejects an alias that is another container\'s name on the same network, and invalid aliases', () => {
    const ds = bad(yaml.replace('aliases: [nginx-web1]', 'aliases: [WEB2, "bad name"]'));
    expect(ds.map((d) => d.path)).toEqual(['containers.web1.networks.front.aliases.0', 'containers.web1.networks.front.aliases.1']);
    expect(ds[0].message).toMatch(/alias "WEB2" on network "front" is already a name of container "web2"/);
    expect(ds[1].message).toMatch(/invalid alias "bad name"/);
  });

  it('rejects two links with one name to different containers, and a shared hosts_file', () => {
    const ds = bad(yaml.replace('links: [web2, "db:database"]', 'links: ["web2:x", "db:x"]').replace('  db:\n    netns: db\n', '  db:\n    netns: db\n    hosts_file: /etc/netns/web1/hosts\n'));
    expect(ds.map((d) => d.message)).toEqual([
      'link name "x" already points to container "web2"',
      'hosts file "/etc/netns/web1/hosts" is also the hosts file of container "web1"',
    ]);
  });
});
