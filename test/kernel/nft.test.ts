// nftables through libnftables in-process (native/nftrun.c) and through a spawned `nft` (CTNET_NFT=spawn, and
// wherever the library cannot be loaded) must be the same to every caller: the same table written, the same
// JSON read back, the same errors, in the namespace the adapter was given. A sandbox namespace plays "host";
// packets check that the written table is the one in force there.
import { closeSync, openSync, readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errors.js';
import { createKernel } from '../../src/kernel/index.js';
import { isOurs } from '../../src/kernel/nftevents.js';
import { tableNames } from '../../src/kernel/nft-tables.js';
import { mayHaveChain } from '../../src/kernel/fw.js';
import { NsCtx } from '../../src/kernel/nsctx.js';
import { native } from '../../src/kernel/setns.js';
import type { Kernel } from '../../src/kernel/port.js';
import { nftKey } from '../../src/model/keys.js';
import { HOST, type NftTableObj } from '../../src/model/state.js';
import { checkTexts, compile } from '../../src/spec/index.js';
import { addNetns, cleanupPrefix, isRoot, rootTitle, sh, uniquePrefix } from '../helpers/sandbox.js';

const P = uniquePrefix('nf');
const sbx = `${P}h`;
const topology = `version: 1
networks:
  front: { bridge_name: ${P}b1, subnet: 10.63.0.0/24 }
  back: { bridge_name: ${P}b2, subnet: 10.64.0.0/24, internal: true }
containers:
  a: { netns: ${P}a, networks: { front: { ipv4_address: 10.63.0.10 } }, ports: ["18080:80", "127.0.0.1:18443:443/tcp"] }
`;
const WAYS = ['library', 'spawn'] as const;
const way = (w: (typeof WAYS)[number]) => {
  if (w === 'spawn') process.env.CTNET_NFT = 'spawn';
  else delete process.env.CTNET_NFT;
};
/** A listing without what differs between two writes of the same table (handles). */
const canon = (dump: unknown) => JSON.stringify(dump).replace(/"handle":\d+/g, '"handle":0');

describe.skipIf(!isRoot)(rootTitle('nftables in-process and spawned (root)'), () => {
  let kernel: Kernel;
  let table: NftTableObj;
  let rootBefore: string;

  beforeAll(async () => {
    rootBefore = sh('nft', ['list', 'tables']).stdout;
    addNetns(sbx);
    kernel = await createKernel({ hostNs: `/run/netns/${sbx}` });
    const checked = checkTexts([{ file: 'nft.yaml', text: topology }]);
    if (!checked.topology) throw new Error(JSON.stringify(checked.diagnostics));
    table = compile(checked.topology).objects.get(nftKey()) as NftTableObj;
  });
  afterEach(() => way('library'));
  afterAll(async () => {
    await kernel?.close();
    cleanupPrefix(P);
    // Only the sandbox was written: the machine's own tables are as they were.
    expect(sh('nft', ['list', 'tables']).stdout).toBe(rootBefore);
  });

  it('writes, reads, lists and deletes the same table both ways, in the adapter\'s namespace', async () => {
    const dumps: Record<string, string> = {};
    for (const w of WAYS) {
      way(w);
      expect(await kernel.dumpNft(HOST)).toBeNull(); // no table yet: "No such file or directory" both ways
      await kernel.run({ op: 'nft.apply', ns: HOST, obj: table });
      dumps[w] = canon(await kernel.dumpNft(HOST));
      expect(await kernel.listNftTables(HOST)).toEqual(['ctnet']);
      // Written in the sandbox, and nowhere else.
      expect(sh('nft', ['list', 'table', 'inet', 'ctnet'], { ns: sbx }).stdout).toContain('18080');
      expect(sh('nft', ['list', 'tables']).stdout).toBe(rootBefore);
      await kernel.run({ op: 'nft.apply', ns: HOST, before: table });
      expect(await kernel.dumpNft(HOST)).toBeNull();
    }
    expect(dumps.library).toContain('["tcp",18080]');
    expect(dumps.library).toBe(dumps.spawn);
  });

  it("lists ctnet's tables of every project by one netlink dump: nft's own listing, less the others' tables", async () => {
    sh('nft', ['add table inet ctnet; add table inet ctnet-shop; add table inet theirs; add table ip ctnet-ipv4'], { ns: sbx });
    try {
      const byNft = (JSON.parse(sh('nft', ['-j', 'list', 'tables', 'inet'], { ns: sbx }).stdout).nftables as { table?: { name: string } }[])
        .flatMap((i) => (i.table ? [i.table.name] : [])).sort();
      expect(byNft).toEqual(['ctnet', 'ctnet-shop', 'theirs']);
      const ctx = new NsCtx(`/run/netns/${sbx}`);
      expect((await tableNames(ctx, HOST)).sort()).toEqual(byNft); // inet only: the ip family's table is not listed
      expect(await kernel.listNftTables(HOST)).toEqual(['ctnet', 'ctnet-shop']);
    } finally {
      sh('nft', ['delete table inet ctnet; delete table inet ctnet-shop; delete table inet theirs; delete table ip ctnet-ipv4'], { ns: sbx });
    }
    expect(await kernel.listNftTables(HOST)).toEqual([]);
  });

  it('tells a namespace without Docker\'s chain from one with it without running iptables', async () => {
    const ctx = new NsCtx(`/run/netns/${sbx}`);
    expect(await mayHaveChain(ctx, HOST, 'DOCKER-USER')).toBe(false);
    expect(await kernel.readFwRules(HOST)).toBeNull();
    sh('iptables', ['-w', '5', '-N', 'DOCKER-USER'], { ns: sbx }); // iptables-nft: a chain of `ip filter` in nf_tables
    try {
      expect(await mayHaveChain(ctx, HOST, 'DOCKER-USER')).toBe(true);
      expect(await mayHaveChain(ctx, HOST, 'OTHER')).toBe(false);
      expect(await kernel.readFwRules(HOST)).toEqual([]); // read by iptables: there, and none of ctnet's rules in it
    } finally {
      sh('iptables', ['-w', '5', '-X', 'DOCKER-USER'], { ns: sbx });
    }
    expect(await mayHaveChain(ctx, HOST, 'DOCKER-USER')).toBe(false);
  });

  it('reads other firewalls\' forward drops the same both ways', async () => {
    sh('nft', ['add table ip filt; add chain ip filt FORWARD { type filter hook forward priority 0; policy drop; }; ' +
      'add chain ip filt DOCKER-USER; add rule ip filt DOCKER-USER iifname "eth9" accept'], { ns: sbx });
    try {
      const seen: string[] = [];
      for (const w of WAYS) {
        way(w);
        seen.push(JSON.stringify(await kernel.forwardDrops(HOST)));
      }
      expect(JSON.parse(seen[0])).toEqual([{ family: 'ip', table: 'filt', chain: 'FORWARD', userChain: 'DOCKER-USER', accepts: [{ iif: 'eth9' }] }]);
      expect(seen[1]).toBe(seen[0]);
    } finally {
      sh('nft', ['delete', 'table', 'ip', 'filt'], { ns: sbx });
    }
  });

  it('refuses a batch the kernel rejects with the same error both ways, and changes nothing', async () => {
    await kernel.run({ op: 'nft.apply', ns: HOST, obj: table });
    const before = canon(await kernel.dumpNft(HOST));
    // A port no service name stands for: nft refuses the whole batch.
    const bad: NftTableObj = JSON.parse(JSON.stringify(table).replaceAll('18080', '"no-such-service"'));
    const errors: string[] = [];
    for (const w of WAYS) {
      way(w);
      const err = await kernel.run({ op: 'nft.apply', ns: HOST, obj: bad, before: table }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(KernelError);
      expect((err as Error).message).toContain('nothing was changed: the transaction is atomic');
      errors.push((err as Error).message);
      expect(canon(await kernel.dumpNft(HOST))).toBe(before);
    }
    expect(errors[0]).toBe(errors[1]);
    await kernel.run({ op: 'nft.apply', ns: HOST, before: table });
  });

  it('says which namespace could not be entered', async () => {
    const r = await native().nftRun('/proc/self/stat', 'list tables');
    expect(r).toEqual({ errno: 22, syscall: 'setns' }); // EINVAL: a file that is no namespace
    expect(await native().nftRun(`/run/netns/${P}none`, 'list tables')).toEqual({ errno: 2, syscall: 'open' });
  });

  it('runs in-process with more than FD_SETSIZE descriptors open (a daemon of 1000 containers)', async () => {
    // libnftables select()s on its socket for a batch's answers: above 1024 glibc aborts the whole process.
    // The addon keeps low descriptors for it (native/nftrun.c); without them this test's worker dies here.
    const fds: number[] = [];
    try {
      while (fds.length < 1100) fds.push(openSync('/dev/null', 'r'));
      expect(Math.max(...fds)).toBeGreaterThan(1024);
      for (let i = 0; i < 3; i++) {
        for (const cmd of ['add table inet fdtest', 'delete table inet fdtest']) {
          expect(await native().nftRun(`/run/netns/${sbx}`, cmd)).toEqual({ rc: 0, stdout: '', stderr: '' });
        }
      }
      expect(sh('nft', ['list', 'tables'], { ns: sbx }).stdout).not.toContain('fdtest');
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  });

  it('counts a change committed on one of its own threads as its own (the daemon ignores its own writes)', () => {
    const threads = readdirSync('/proc/self/task').map(Number);
    expect(threads.length).toBeGreaterThan(1); // the threadpool libnftables ran on
    for (const tid of threads) expect(isOurs(tid)).toBe(true);
    expect(isOurs(1)).toBe(false);
  });
});
