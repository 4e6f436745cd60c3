#!/usr/bin/env node
// Writes test/fuzz/corpus/: invalid topology files, one problem each, for the fuzz test
// (test/unit/fuzz-corpus.test.ts). Deterministic: the same files every run, so the corpus can be
// reviewed and kept in git. A valid base topology has one value at a time replaced by a bad one
// (wrong types, including where the schema allows two; kernel-special names; multicast MACs; /0
// prefixes; MTUs below 1280 with IPv6; overlong names ...), plus YAML-level damage (alias bombs,
// unresolved aliases, deep nesting, tabs, several documents, bytes that are not UTF-8).
// Only files that are invalid are kept. Usage: npm run build && node scripts/gen-fuzz-corpus.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { checkTexts } = await import(join(root, 'dist/src/spec/index.js'));
const out = join(root, 'test/fuzz/corpus');

const base = () => ({
  version: 1,
  networks: {
    web: { subnet: '10.70.0.0/24', gateway: '10.70.0.1', ip_range: '10.70.0.128/25', ipv6_subnet: 'fd00:70::/64', mtu: 1500, bridge_name: 'br-web', dns: true, icc: true },
    db: { subnet: '10.71.0.0/24', internal: true, allow_from: ['web'] },
  },
  containers: {
    a: { netns: 'fz-a', create: true, networks: { web: { ipv4_address: '10.70.0.10', ipv6_address: 'fd00:70::10', interface: 'eth0', mac_address: '02:42:0a:46:00:0a', aliases: ['alpha'] }, db: {} }, ports: ['8080:80', '127.0.0.1:8443:443/tcp', { target: 53, published: 5353, protocol: 'udp' }], links: ['b:bee'] },
    b: { netns: 'fz-b', create: true, networks: ['web'] },
    c: { netns: 'fz-c', network_mode: 'container:a' },
  },
  peers: { far: { via: '192.168.70.2', subnets: ['10.72.0.0/24'] } },
});

const BAD = {
  types: [5, -1, 0, 3.5, true, false, null, '', 'x', [], {}, ['a', 'b'], { k: 'v' }, [[]], '5'],
  names: ['', '.', '..', 'lo', 'br-*', 'eth%d', 'a/b', 'a b', 'x'.repeat(16), 'x'.repeat(300), 'tab\tname', 'é', '-lead', 'a:b', '*', '%d'],
  macs: ['01:00:5e:00:00:01', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '33:33:00:00:00:01', '02:42', 'zz:zz:zz:zz:zz:zz', '02-42-0a-00-00-01', '02:42:0a:46:00:0a:ff'],
  cidrs4: ['0.0.0.0/0', '10.70.0.0/33', '10.70.0.0', '300.1.1.0/24', '10.70.0.0/-1', 'fd00::/64', '10.70.0.0/31', '10.70.0.0/32', 'a.b.c.d/24', '10.70.0.0/24/1'],
  cidrs6: ['::/0', 'fd00:70::/129', 'fd00:70::/127', '10.70.0.0/24', 'fd00:::/64', 'fd00:70::', 'gggg::/64'],
  ips: ['300.1.1.1', '10.70.0.0', '10.70.0.255', '10.71.0.5', '1.2.3.4.5', '::1', 'fd00:71::1', '10.70.0.1', 'localhost', '10.70.0.10/24'],
  mtus: [0, 67, 65536, 1279, 1000, -1, 1e9, '1500x', 1500.5],
  ports: ['300.1.1.1:8080:80', '1.2.3.4.5:8081:80', '8080::80', '0:80', '70000:80', '80-79', '8080-8082:80-81', ':80', '80/icmp', '[::1:8080:80', 'abc', '8080:80:90', '-1', { target: 0 }, { target: 80, published: 70000 }, { target: 80, protocol: 'icmp' }, { published: 80 }],
  netns: ['', '.', '..', 'a/b', 'x'.repeat(256), 'with space', '/run/netns/../x', 'relative/path'],
};

/** Set obj at path (array of keys) to v, returning a deep copy. */
function put(obj, path, v) {
  const copy = structuredClone(obj);
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = v;
  return copy;
}

const cases = [];
const add = (cls, text) => cases.push({ cls, text });
const yaml = (o) => dump(o, { flowLevel: 3, lineWidth: -1, noRefs: true });

const fields = [
  [['version'], [...BAD.types, 2, '1']],
  [['networks'], BAD.types],
  [['containers'], BAD.types.filter((v) => v !== null)],
  [['networks', 'web'], BAD.types.filter((v) => v !== null)],
  [['networks', 'web', 'subnet'], [...BAD.types, ...BAD.cidrs4]],
  [['networks', 'web', 'ipv6_subnet'], [...BAD.types, ...BAD.cidrs6]],
  [['networks', 'web', 'gateway'], [...BAD.types, ...BAD.ips]],
  [['networks', 'web', 'ip_range'], [...BAD.cidrs4, 5, true]],
  [['networks', 'web', 'mtu'], BAD.mtus],
  [['networks', 'web', 'bridge_name'], [...BAD.names, 5, true]],
  [['networks', 'web', 'icc'], ['yes', 5, []]],
  [['networks', 'db', 'allow_from'], ['web', [5], ['nope'], [''], { a: 1 }]],
  [['containers', 'a'], BAD.types.filter((v) => v !== null)],
  [['containers', 'a', 'netns'], [...BAD.netns, 5, true, []]],
  [['containers', 'a', 'create'], ['yes', 5]],
  [['containers', 'a', 'network_mode'], ['bridge2', 'container:', 'container:zzz', 'container:a', 5, 'host:x']],
  [['containers', 'a', 'networks'], [5, 'web', [5], ['nope'], { nope: {} }, { web: 5 }, { web: [] }]],
  [['containers', 'a', 'networks', 'web', 'ipv4_address'], [...BAD.ips, 5, true]],
  [['containers', 'a', 'networks', 'web', 'ipv6_address'], ['10.70.0.10', 'fd00:71::5', 'fd00:70::', 'zz::1', 5]],
  [['containers', 'a', 'networks', 'web', 'interface'], [...BAD.names, 5]],
  [['containers', 'a', 'networks', 'web', 'mac_address'], [...BAD.macs, 5]],
  [['containers', 'a', 'networks', 'web', 'aliases'], ['alpha', [5], [''], ['b'], ['x'.repeat(300)], [[]]]],
  [['containers', 'a', 'ports'], [5, '8080:80', [[]], [null]]],
  [['containers', 'a', 'ports', 0], BAD.ports],
  [['containers', 'a', 'links'], ['b', [5], ['nope'], ['a'], ['b:'], [':x'], ['b:bee', 'b:bee']]],
  [['containers', 'b', 'networks'], [[], ['web', 'web'], 'web']],
  [['containers', 'c', 'network_mode'], ['container:c', 'container:nope', 'none2']],
  [['peers'], [5, [], 'x']],
  [['peers', 'far', 'via'], [...BAD.ips.filter((v) => v !== '10.70.0.10/24'), '10.70.0.5', 5]],
  [['peers', 'far', 'subnets'], [[], ['10.70.0.0/24'], ['0.0.0.0/0'], [5], 'x']],
  [['peers', 'far', 'dev'], [...BAD.names, 5]],
  [['networks', 'db', 'internal'], ['yes', 5, [], {}]],
  [['networks', 'web', 'dns'], ['yes', 5, []]],
  [['networks', 'web', 'masquerade'], ['no', 5, {}]],
  [['networks', 'web', 'ipv6_gateway'], ['10.70.0.1', 'fd00:71::1', 'fd00:70::', 5, true]],
  [['containers', 'b', 'netns'], [...BAD.netns, 5]],
  [['containers', 'b', 'pid'], [-1, 0, 'abc', 1.5, true]],
  [['containers', 'a', 'hosts_file'], [5, '', 'relative/hosts', true]],
  [['containers', 'a', 'networks', 'web', 'default_route'], ['yes', 5, []]],
  [['hosts'], [5, [], 'x', { h1: 5 }, { h1: { address: '300.0.0.1' } }, { h1: { address: 5 } }, { h1: {} }, { 'h 1': { address: '10.9.0.1' } }]],
  [['containers', 'a', 'host'], ['nohost', 5]],
];
// Network and container names: every bad name as a key.
for (const bad of BAD.names.filter((n) => n !== '')) {
  const t = base();
  t.networks[bad] = { subnet: '10.99.0.0/24' };
  add('key:networks', yaml(t));
  const u = base();
  u.containers[bad] = { netns: 'fz-bad', networks: ['web'] };
  add('key:containers', yaml(u));
}
for (const [path, values] of fields) {
  for (const v of values) add(`value:${path.join('.')}`, yaml(put(base(), path, v)));
}
// A whole section replaced by the wrong one of the types the schema allows.
add('two-types', 'version: 1\nnetworks: 5\n');
add('two-types', 'version: 1\ncontainers: [a, b]\n');
add('two-types', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers: { x: { netns: x, networks: { n: static } } }\n');
add('two-types', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers: { x: { netns: x, networks: [ { n: 1 } ] } }\n');
// Duplicates and cross-references.
add('dup', 'version: 1\nnetworks:\n  n: { subnet: 10.1.0.0/24 }\n  n: { subnet: 10.2.0.0/24 }\n');
add('dup', 'version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24, bridge_name: br0 }\n  b: { subnet: 10.2.0.0/24, bridge_name: br0 }\n');
add('dup', 'version: 1\nnetworks:\n  a: { subnet: 10.1.0.0/24 }\n  b: { subnet: 10.1.0.0/25 }\n');
add('dup', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers:\n  x: { netns: s, networks: { n: { mac_address: "02:00:00:00:00:01" } } }\n  y: { netns: t, networks: { n: { mac_address: "02:00:00:00:00:01" } } }\n');
add('dup', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers:\n  x: { netns: s, networks: { n: { ipv4_address: 10.1.0.9 } } }\n  y: { netns: t, networks: { n: { ipv4_address: 10.1.0.9 } } }\n');
add('dup', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers:\n  x: { netns: s, networks: [n], ports: ["80:80"] }\n  y: { netns: t, networks: [n], ports: ["80:81"] }\n');
// YAML-level damage.
add('yaml', 'version: *nope\n');
add('yaml', 'version: 1\nnetworks: &a { n: *a }\n');
for (let depth of [8, 9]) {
  const lines = ['a: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < depth; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  add('alias-bomb', `version: 1\n${lines.join('\n')}\n`);
}
add('alias-bomb', `version: 1\nnetworks: &n { ${Array.from({ length: 40 }, (_, i) => `n${i}: { subnet: 10.${i}.0.0/24 }`).join(', ')} }\nx1: *n\nx2: *n\n`);
for (const depth of [100, 1000, 5000]) add('deep', `version: 1\nnetworks: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
for (const depth of [100, 3000]) add('deep', `version: 1\nnetworks: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`);
add('yaml', 'version: 1\nnetworks:\n\tn: { subnet: 10.1.0.0/24 }\n');
add('yaml', 'version: 1\n---\nversion: 1\n');
add('yaml', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 }\n');
add('yaml', '');
add('yaml', '# only a comment\n');
add('yaml', '- a\n- b\n');
add('yaml', '"just a string"\n');
add('yaml', 'version: !!binary aGVsbG8=\n');
add('yaml', 'version: 1\nnetworks: { n: { subnet: !custom 10.1.0.0/24 } }\n');
add('yaml', 'version: 1\n? [a, b]\n: c\n');
add('yaml', '\u0000version: 1\n');
add('names', 'version: 1\nnetworks: { "n n": { subnet: 10.1.0.0/24 } }\n');
add('names', `version: 1\nnetworks: { ${'n'.repeat(64)}: { subnet: 10.1.0.0/24 } }\n`);
add('names', 'version: 1\nnetworks: { n: { subnet: 10.1.0.0/24 } }\ncontainers: { "-x": { netns: x, networks: [n] } }\n');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let kept = 0;
const seen = new Set();
for (const { cls, text } of cases) {
  if (seen.has(text)) continue;
  seen.add(text);
  const r = checkTexts([{ file: 't.yaml', text }]);
  if (r.topology) continue; // still valid: not a corpus file
  kept++;
  writeFileSync(join(out, `${String(kept).padStart(3, '0')}-${cls.replace(/[^a-z0-9.]+/gi, '_')}.yaml`), text);
}
// Bytes that are not UTF-8 (Latin-1 in a netns name, a lone continuation byte, an overlong encoding).
for (const bytes of [[0x72, 0x65, 0x6c, 0xe9], [0x80], [0xc0, 0xaf], [0xff, 0xfe]]) {
  kept++;
  writeFileSync(join(out, `${String(kept).padStart(3, '0')}-not-utf8.yaml`),
    Buffer.concat([Buffer.from('version: 1\ncontainers:\n  x: { netns: "'), Buffer.from(bytes), Buffer.from('", create: true }\n')]));
}
console.log(`${kept} invalid files in ${out}`);
