// Projects (TOPOLOGY.md "Projects"): several topologies on one host. On the fake kernel, through the
// CLI's path (prepare -> reconcile): each project sees only its own objects, another project's in the
// way is a conflict that names it, and removing one leaves the other exactly as it was.
import { describe, expect, it } from 'vitest';
import { ALL, NONE } from '../../src/model/parts.js';
import { HOST } from '../../src/model/state.js';
import { aliasFor, parseAlias, projectOfTable, tableOf } from '../../src/model/keys.js';
import { observe } from '../../src/observe/index.js';
import { listProjects } from '../../src/observe/projects.js';
import { reconcile } from '../../src/reconcile/index.js';
import { prepare } from '../../src/reconcile/prepare.js';
import { destroyPlan } from '../../src/cli/destroy.js';
import { checkTexts, type Topology } from '../../src/spec/index.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { topo } from '../support/topology-text.js';

const SHOP = topo(`version: 1
name: shop
networks: { front: { subnet: 10.61.0.0/24 } }
containers:
  web: { netns: pj-shop-web, create: true, networks: [front], ports: ["8080:80"] }
  db: { netns: pj-shop-db, create: true, networks: [front] }
peers: { dc2: { via: 192.168.50.1, subnets: [172.30.0.0/16] } }
`);
const BLOG = topo(`version: 1
networks: { pub: { subnet: 10.62.0.0/24 } }
containers:
  web: { netns: pj-blog-web, create: true, networks: [pub], ports: ["8081:80"] }
`);

async function apply(k: FakeKernel, t: Topology) {
  const { desired, observation, neighbours } = await prepare(k, t, undefined);
  return reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE, neighbours });
}
async function planOf(k: FakeKernel, t: Topology) {
  const { desired, observation, neighbours } = await prepare(k, t, undefined);
  return (await reconcile(k, desired, { parts: ALL, previous: observation, reread: NONE, neighbours, dryRun: true })).plan;
}
/** A fake host with an uplink on which the peers' next hop is. */
function host(): FakeKernel {
  const k = new FakeKernel();
  k.addLink(HOST, { name: 'eth1' });
  k.addAddress(HOST, 'eth1', '192.168.50.2/24');
  return k;
}
/** Everything of every project, as `ls` sees it, plus the raw marks. */
async function everything(k: FakeKernel) {
  const host = await k.dump(HOST, []);
  return { projects: await listProjects(k), links: host!.links.map((l) => `${l.name}=${l.alias ?? ''}`).sort(), tables: await k.listNftTables(HOST) };
}

describe('projects', () => {
  it('marks: the default project keeps the plain alias and table name, others carry their project', () => {
    expect(aliasFor('bridge/n')).toBe('ctnet:bridge/n');
    expect(aliasFor('bridge/n', 'shop')).toBe('ctnet@shop:bridge/n');
    expect(parseAlias('ctnet:bridge/n')).toEqual({ project: 'default', key: 'bridge/n' });
    expect(parseAlias('ctnet@shop:veth/a/b')).toEqual({ project: 'shop', key: 'veth/a/b' });
    expect(parseAlias('ctnet@bad name:bridge/n')).toBeUndefined();
    expect(parseAlias('docker0')).toBeUndefined();
    expect([tableOf(), tableOf('shop')]).toEqual(['ctnet', 'ctnet-shop']);
    expect([projectOfTable('ctnet'), projectOfTable('ctnet-shop'), projectOfTable('firewalld'), projectOfTable('ctnet-default')]).toEqual(['default', 'shop', undefined, undefined]);
  });

  it('two projects converge side by side; each plans empty; neither sees the other as its own', async () => {
    const k = host();
    expect((await apply(k, SHOP)).error).toBeUndefined();
    expect((await apply(k, BLOG)).error).toBeUndefined();
    expect(await planOf(k, SHOP)).toEqual({ formatVersion: 1, steps: [], conflicts: [] });
    expect(await planOf(k, BLOG)).toEqual({ formatVersion: 1, steps: [], conflicts: [] });
    const all = await everything(k);
    expect(all.projects.map((p) => [p.name, p.networks, p.containers, p.ports])).toEqual([
      ['default', ['pub'], ['web'], 1],
      ['shop', ['front'], ['db', 'web'], 1],
    ]);
    expect(all.tables).toEqual(['ctnet', 'ctnet-shop']);
    // The host route of the shop project is recorded as shop's, so the default project leaves it alone.
    const seen = await observe(k, new Map([[HOST, 'host']]));
    expect([...seen.objects.keys()].filter((key) => key.startsWith('route/'))).toEqual([]);
    expect(seen.foreign.filter((f) => f.kind === 'route' && f.project === 'shop').length).toBe(1);
  });

  it('destroying one project removes exactly its objects and leaves the other byte for byte', async () => {
    const k = host();
    await apply(k, BLOG);
    const blogOnly = await everything(k);
    const blogNft = await k.dumpNft(HOST);
    await apply(k, SHOP);
    const p = await destroyPlan(k, 'shop');
    expect(p.steps.length).toBeGreaterThan(0);
    for (const s of p.steps) await k.run(s.op);
    expect(await everything(k)).toEqual(blogOnly);
    expect(await k.dumpNft(HOST)).toEqual(blogNft);
    expect(await planOf(k, BLOG)).toEqual({ formatVersion: 1, steps: [], conflicts: [] });
    expect((await destroyPlan(k, 'shop')).steps).toEqual([]);
  });

  it('objects made before projects belong to default: a v1 file applied again plans nothing', async () => {
    const k = host();
    await apply(k, BLOG); // no `name:`: exactly the marks of a ctnet without projects
    const dump = await k.dump(HOST, []);
    expect(dump!.links.filter((l) => l.alias).every((l) => l.alias!.startsWith('ctnet:'))).toBe(true);
    expect(await planOf(k, topo(BLOG_TEXT_WITH_NAME))).toEqual({ formatVersion: 1, steps: [], conflicts: [] });
  });

  const conflicts: [string, string, RegExp][] = [
    ['the same bridge name', `networks: { other: { subnet: 10.63.0.0/24, bridge_name: br-front } }`, /bridge "br-front" cannot be created: the host namespace already has a link "br-front" of ctnet project "shop"/],
    ['an overlapping subnet', `networks: { other: { subnet: 10.61.0.128/25 } }`, /overlaps 10\.61\.0\.1\/24 on bridge "br-front" of ctnet project "shop"/],
    ['the same host port', `networks: { other: { subnet: 10.63.0.0/24 } }\ncontainers: { c: { netns: pj-x-c, create: true, networks: [other], ports: ["8080:80"] } }`,
      /host port 8080\/tcp of container "c" is already published by ctnet project "shop"/],
    ['the same namespace name', `networks: { other: { subnet: 10.63.0.0/24 } }\ncontainers: { c: { netns: pj-shop-web, create: true, networks: [other] } }`,
      /namespace "\/run\/netns\/pj-shop-web" of container "c" belongs to ctnet project "shop"/],
    ['a container namespace of another project (no create)', `networks: { other: { subnet: 10.63.0.0/24 } }\ncontainers: { c: { netns: pj-shop-web, networks: [other] } }`,
      /namespace "\/run\/netns\/pj-shop-web" of container "c" holds ctnet objects of project "shop"; two projects cannot share a container namespace/],
    ['the same peer route', `peers: { p: { via: 192.168.50.1, subnets: [172.30.0.0/16] } }\nnetworks: { other: { subnet: 10.63.0.0/24 } }`, /a route to 172\.30\.0\.0\/16 in the host namespace belongs to ctnet project "shop"/],
  ];
  it.each(conflicts)('another project in the way (%s) is a conflict that names it, found before any change', async (_n, body, expected) => {
    const k = host();
    await apply(k, SHOP);
    const before = await everything(k);
    const r = await apply(k, topo(`version: 1\nname: other\n${body}\n`));
    expect(r.plan.conflicts.map((c) => c.message).join('\n')).toMatch(expected);
    expect(r.error).toBeDefined();
    expect(await everything(k)).toEqual(before);
  });
});

const BLOG_TEXT_WITH_NAME = `version: 1
name: default
networks: { pub: { subnet: 10.62.0.0/24 } }
containers:
  web: { netns: pj-blog-web, create: true, networks: [pub], ports: ["8081:80"] }
`;

describe('project names in files', () => {
  it('two files of one -f set naming different projects is a located input error', () => {
    const r = checkTexts([
      { file: 'a.yaml', text: 'version: 1\nname: shop\nnetworks: { a: { subnet: 10.64.0.0/24 } }\n' },
      { file: 'b.yaml', text: 'name: blog\nnetworks: { b: { subnet: 10.65.0.0/24 } }\n' },
    ]);
    expect(r.topology).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.path}: ${d.message}`)).toEqual([
      'b.yaml:1:7: name: project name "blog" differs from "shop" in a.yaml',
    ]);
  });

  it('the same name in two files merges them; no name is the default project', () => {
    const same = checkTexts([
      { file: 'a.yaml', text: 'version: 1\nname: shop\nnetworks: { a: { subnet: 10.64.0.0/24 } }\n' },
      { file: 'b.yaml', text: 'name: shop\nnetworks: { b: { subnet: 10.65.0.0/24 } }\n' },
    ]);
    expect(same.topology?.project).toBe('shop');
    expect(same.topology?.networks.size).toBe(2);
    expect(checkTexts([{ file: 'a.yaml', text: 'version: 1\n' }]).topology?.project).toBe('default');
  });

  it('a name that cannot be a mark is refused where it is written', () => {
    const r = checkTexts([{ file: 'a.yaml', text: 'version: 1\nname: "my shop"\n' }]);
    expect(r.topology).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ file: 'a.yaml', line: 2, path: 'name' });
  });
});
