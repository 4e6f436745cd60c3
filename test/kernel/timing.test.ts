// Cost of the adapter at container scale, printed for the record (and bounded
// loosely so a regression to spawning or per-link deletes shows up): N
// namespaces, N veths on one bridge with an address each, dumps of all of
// them at once (as observe asks), a group delete, then the namespaces removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel } from '../../src/kernel/index.js';
import type { Kernel } from '../../src/kernel/port.js';
import { addNetns, cleanupPrefix, isRoot, rootTitle, sh, uniquePrefix } from '../helpers/sandbox.js';
import { addrObj, bridgeObj, netnsObj, vethObj } from './objs.js';

const N = 100;
const prefix = uniquePrefix('kt');
const sbx = `${prefix}h`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

describe.skipIf(!isRoot)(rootTitle('kernel adapter timing (root)'), () => {
  let kernel: Kernel;
  beforeAll(async () => {
    addNetns(sbx);
    kernel = await createKernel({ hostNs: `/run/netns/${sbx}` });
  });
  afterAll(async () => {
    await kernel?.close();
    cleanupPrefix(prefix);
  });

  it(`${N} containers: create, dump, delete`, async () => {
    const nss = Array.from({ length: N }, (_, i) => netnsObj(`${prefix}c${i}`));
    const br = bridgeObj(`${prefix}br`, '02:42:0a:4f:00:01');
    const veths = nss.map((ns, i) => vethObj(`${prefix}v${i}`, br.name, ns.path, i + 1, false));
    const t: Record<string, number> = {};
    [, t.netnsCreate] = await timed(async () => { for (const o of nss) await kernel.run({ op: 'netns.create', obj: o }); });
    await kernel.run({ op: 'link.create', obj: br });
    [, t.vethCreate] = await timed(async () => { for (const v of veths) await kernel.run({ op: 'link.create', obj: v }); });
    [, t.addrAdd] = await timed(() => pool(nss, 32, (ns) =>
      kernel.run({ op: 'addr.add', obj: addrObj(ns.path, 'eth0', `10.79.${nss.indexOf(ns) >> 8}.${(nss.indexOf(ns) & 0xff) + 2}`, 16) })));
    const dumps: unknown[] = [];
    [, t.dumpAll] = await timed(async () => dumps.push(...await Promise.all(nss.map((ns) => kernel.dump(ns.path, [])))));
    [, t.dumpAgain] = await timed(() => Promise.all(nss.map((ns) => kernel.dump(ns.path, []))));
    const [host, dumpHost] = await timed(() => kernel.dump('host', []));
    t.dumpHost = dumpHost;
    expect(dumps.every((d) => d !== null)).toBe(true);
    expect(host!.links.filter((l) => l.kind === 'veth')).toHaveLength(N);
    [, t.groupDelete] = await timed(() => kernel.run({ op: 'link.delete', ns: 'host', objs: veths }));
    expect(JSON.parse(sh('ip', ['-n', sbx, '-j', 'link', 'show']).stdout)).toHaveLength(2); // lo + bridge
    [, t.netnsDelete] = await timed(async () => { for (const o of nss) await kernel.run({ op: 'netns.delete', obj: o }); });

    const per = (ms: number) => `${ms.toFixed(0)} ms (${(ms / N).toFixed(2)} ms each)`;
    console.log([
      `kernel adapter timing, ${N} containers:`,
      `  netns.create        ${per(t.netnsCreate)}`,
      `  veth create         ${per(t.vethCreate)}   (peer into ns, disable_ipv6, alias, up)`,
      `  addr.add (32 wide)  ${per(t.addrAdd)}`,
      `  dump ns (at once)   ${per(t.dumpAll)} first, ${per(t.dumpAgain)} again`,
      `  dump host           ${t.dumpHost.toFixed(1)} ms (${N + 2} links)`,
      `  group delete        ${per(t.groupDelete)}`,
      `  netns.delete        ${per(t.netnsDelete)}`,
    ].join('\n'));
    expect(t.groupDelete / N).toBeLessThan(10); // per-link DELLINK would be ~20 ms each
  });
});
