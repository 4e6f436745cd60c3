// `ctnet show` round-trips: apply a topology on the fake kernel, show it, and the shown topology plans
// empty against the same kernel. For every example, every golden topology, and the names and IPv6-only
// cases show has to say back (dns, links, aliases, hosts_file, a dual-stack port once).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyPlan } from '../../src/apply/index.js';
import { shownBy } from '../../src/cli/show.js';
import { HOST } from '../../src/model/state.js';
import { observe, sysctlsOf } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { renderText } from '../../src/plan/render.js';
import { checkTexts, compile, forHost, namespacesOf, type Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function planOf(k: FakeKernel, t: Topology, host?: string) {
  const labels = namespacesOf(forHost(t, host));
  const desired = compile(t, await observe(k, labels, [], t.project), { host });
  const observed = await observe(k, desired.nsLabels, sysctlsOf(desired), t.project);
  return { desired, observed, p: plan(desired, observed) };
}

function load(file: string, text: string): Topology {
  const { topology, diagnostics } = checkTexts([{ file, text }]);
  expect(diagnostics.filter((d) => d.severity === 'error'), `${file}:\n${text}`).toEqual([]);
  return topology!;
}

/** The world a topology expects: namespaces it names without creating them, the uplink of a host's address. */
function world(t: Topology, host: string | undefined): FakeKernel {
  const k = new FakeKernel();
  for (const c of t.containers.values()) {
    if (c.netns !== undefined && !c.create) k.addNamespace(c.netns.startsWith('/') ? c.netns : `/run/netns/${c.netns}`);
    if (c.pid !== undefined) k.addNamespace(`/proc/${c.pid}/ns/net`);
  }
  const address = host ? t.hosts.get(host)?.address : undefined;
  // The segment each next hop is on, on the device a peer names (or an uplink of its own).
  const vias: [string, string | undefined][] = [[address ?? '', undefined], ...[...t.peers.values()].map((p): [string, string | undefined] => [p.via, p.dev])];
  const made = new Set<string>();
  vias.filter(([via]) => via && !via.includes(':')).forEach(([via, dev], i) => {
    const name = dev ?? `uplink${i}`, cidr = `${via.replace(/\.\d+$/, '.250')}/24`;
    if (!made.has(name)) k.addLink(HOST, { name });
    if (!made.has(`${name} ${cidr}`)) k.addAddress(HOST, name, cidr);
    made.add(name).add(`${name} ${cidr}`);
  });
  return k;
}

async function roundTrip(file: string, text: string): Promise<string> {
  const t = load(file, text);
  const host = t.hosts.size ? [...t.hosts.keys()][0] : undefined;
  const k = world(t, host);
  const first = await planOf(k, t, host);
  expect(first.p.conflicts).toEqual([]);
  await applyPlan(k, first.desired, first.observed, first.p);
  expect(renderText((await planOf(k, t, host)).p)).toContain('No changes');
  const left: string[] = [];
  const shownText = stringify(await shownBy(k, t.project, (c) => left.push(c)));
  expect(left).toEqual([]);
  const again = await planOf(k, load('shown.yaml', shownText));
  expect(renderText(again.p), `shown:\n${shownText}`).toContain('No changes');
  return shownText;
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort().map((f) => join('examples', f));
const goldens = ['nft', 'plan'].flatMap((dir) => readdirSync(join(ROOT, 'test/golden', dir))
  .map((c) => join('test/golden', dir, c, 'topology.yaml')).filter((f) => existsSync(join(ROOT, f))));

describe('show round-trips to an empty plan (fake kernel)', () => {
  it.each([...examples, ...goldens])('%s', async (file) => {
    await roundTrip(file, readFileSync(join(ROOT, file), 'utf8'));
  });

  it('round-trips the full example once its pid-given container has a named namespace', async () => {
    const file = 'test/golden/validate/valid-full-example/topology.yaml';
    await roundTrip(file, readFileSync(join(ROOT, file), 'utf8').replace('pid: 1234', 'netns: web2'));
  });

  it('warns about a container show cannot read (a pid-given namespace has no name) instead of dropping it silently', async () => {
    const t = load('pid.yaml', 'version: 1\nnetworks:\n  n: { subnet: 10.33.0.0/24 }\ncontainers:\n  p: { pid: 4321, networks: [n] }\n  q: { netns: q, create: true, networks: [n] }\n');
    const k = world(t, undefined);
    const first = await planOf(k, t);
    await applyPlan(k, first.desired, first.observed, first.p);
    const left: string[] = [];
    const shown = await shownBy(k, t.project, (c) => left.push(c));
    expect(left).toEqual(['p']);
    expect(Object.keys(shown.containers)).toEqual(['q']);
  });

  it('says back dns, aliases, links, a custom hosts file, IPv6-only networks and a dual-stack port once', async () => {
    const shown = await roundTrip('names.yaml', `version: 1
networks:
  six: { ipv6_subnet: "fd00:30::/64", dns: true }
  dual: { subnet: 10.30.0.0/24, ipv6_subnet: "fd00:31::/64", dns: true }
  plain: { subnet: 10.32.0.0/24 }
containers:
  web:
    netns: web
    create: true
    networks:
      six: { aliases: [www, front] }
      dual: { aliases: [api] }
    ports: ["8080:80", "[fd00:99::1]:8443:443"]
  db:
    netns: db
    create: true
    networks: [dual, plain]
    links: ["web:site", "cache"]
  cache:
    netns: cache
    create: true
    hosts_file: /srv/cache-hosts
    networks: [plain]
`);
    expect(shown).toContain('ipv6_subnet: fd00:30::/64');
    expect(shown).not.toMatch(/^\s+subnet: fd00/m);
    expect(shown.match(/dns: true/g)).toHaveLength(2);
    expect(shown).toMatch(/aliases:\n\s+- www\n\s+- front/);
    expect(shown).toMatch(/links:\n\s+- web:site\n\s+- cache/);
    expect(shown).toContain('hosts_file: /srv/cache-hosts');
    expect(shown.match(/8080:80\/tcp/g)).toHaveLength(1);
  });
});
