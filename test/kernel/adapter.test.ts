// The real kernel adapter against real namespaces. A sandbox namespace plays
// "host" (createKernel({hostNs})), so the machine's root namespace is never touched;
// results are checked with `ip -j` and with packets.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errors.js';
import { CTNET_PROTO } from '../../src/model/keys.js';
import { createKernel } from '../../src/kernel/index.js';
import type { Kernel } from '../../src/kernel/port.js';
import { addNetns, cleanupPrefix, isRoot, rootTitle, ping, sh, uniquePrefix } from '../helpers/sandbox.js';
import { addrObj, bridgeObj, netnsObj, routeObj, vethObj } from './objs.js';
import { Servers } from '../helpers/traffic.js';
import { HOST } from '../../src/model/state.js';

const prefix = uniquePrefix('k');
const sbx = `${prefix}h`;
const c1 = netnsObj(`${prefix}c1`);
const c2 = netnsObj(`${prefix}c2`);
const br = bridgeObj(`${prefix}br`);
const v1 = vethObj(`${prefix}v1`, br.name, c1.path, 1, true);
const v2 = vethObj(`${prefix}v2`, br.name, c2.path, 2, false);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ipj = (ns: string, ...args: string[]): any[] => JSON.parse(sh('ip', ['-n', ns, '-j', ...args]).stdout || '[]');
const rootLinks = () => JSON.parse(sh('ip', ['-j', 'link', 'show']).stdout)
  .map((l: { ifname: string; flags: string[]; mtu: number; address?: string }) => `${l.ifname} ${l.flags.join(',')} ${l.mtu} ${l.address}`).sort();

describe.skipIf(!isRoot)(rootTitle('kernel adapter (root)'), () => {
  let kernel: Kernel;
  let rootBefore: string[];

  beforeAll(async () => {
    rootBefore = rootLinks();
    addNetns(sbx);
    kernel = await createKernel({ hostNs: `/run/netns/${sbx}` });
  });

  afterAll(async () => {
    await kernel?.close();
    cleanupPrefix(prefix);
    expect(rootLinks()).toEqual(rootBefore);
  });

  it('creates marked namespaces with lo up', async () => {
    await kernel.run({ op: 'netns.create', obj: c1 });
    await kernel.run({ op: 'netns.create', obj: c2 });
    expect(sh('ip', ['netns', 'list']).stdout).toContain(c1.name);
    expect(ipj(c1.name, 'link', 'show', 'lo')[0].flags).toContain('UP');
    // The marker names the host namespace it belongs to (the sandbox here, not the machine's).
    const st = statSync(`/run/netns/${sbx}`);
    // and its cookie, which unlike the inode is never given to another namespace (D18).
    expect(JSON.parse(readFileSync(`/run/ctnet/netns/${c1.name}`, 'utf8'))).toEqual({ host: `${st.dev}:${st.ino}`, cookie: expect.stringMatching(/^\d+$/) });
    const owned = (await kernel.listOwnedNetns()).filter((n) => n.name.startsWith(prefix));
    expect(owned).toEqual([
      { name: c1.name, path: c1.path, exists: true },
      { name: c2.name, path: c2.path, exists: true },
    ]);
    await expect(kernel.run({ op: 'netns.create', obj: c1 })).rejects.toThrow(/already exists/);
    expect(existsSync(`/run/ctnet/netns/${c1.name}`)).toBe(true); // a failed re-create keeps our marker
  });

  it('reads a marker again when it was rewritten, and forgets one removed (markers are kept by their stat)', async () => {
    const file = `/run/ctnet/netns/${c1.name}`;
    const original = readFileSync(file, 'utf8');
    const mine = () => kernel.listOwnedNetns().then((l) => l.filter((n) => n.name.startsWith(prefix)));
    try {
      expect((await mine()).map((n) => n.name)).toEqual([c1.name, c2.name]);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(original), project: 'web' }) + '\n');
      expect((await mine())[0]).toEqual({ name: c1.name, path: c1.path, exists: true, project: 'web' });
      writeFileSync(file, JSON.stringify({ host: '0:1', cookie: '1' }) + '\n'); // same size class, another host
      expect((await mine()).map((n) => n.name)).toEqual([c2.name]);
      rmSync(file);
      expect((await mine()).map((n) => n.name)).toEqual([c2.name]);
    } finally {
      writeFileSync(file, original);
    }
    expect(await mine()).toEqual([
      { name: c1.name, path: c1.path, exists: true },
      { name: c2.name, path: c2.path, exists: true },
    ]);
  });

  it('builds a bridge, two veths, addresses and routes that carry packets', async () => {
    await kernel.run({ op: 'link.create', obj: br });
    await kernel.run({ op: 'link.create', obj: v1 });
    await kernel.run({ op: 'link.create', obj: v2 });
    await kernel.run({ op: 'addr.add', obj: addrObj('host', br.name, '10.77.0.1', 24) });
    await kernel.run({ op: 'addr.add', obj: addrObj(c1.path, 'eth0', '10.77.0.2', 24) });
    await kernel.run({ op: 'addr.add', obj: addrObj(c2.path, 'eth0', '10.77.0.3', 24) });
    await kernel.run({ op: 'addr.add', obj: addrObj(c1.path, 'eth0', 'fd00:77::2', 64) });
    await kernel.run({ op: 'route.replace', obj: routeObj(c1.path, '0.0.0.0/0', '10.77.0.1') });
    await kernel.run({ op: 'route.replace', obj: routeObj(c2.path, '10.99.0.0/16', '10.77.0.1', 'eth0') });

    const hostLinks = ipj(sbx, '-d', 'link', 'show');
    const bj = hostLinks.find((l) => l.ifname === br.name);
    expect(bj).toMatchObject({ address: br.mac, ifalias: `ctnet:${br.key}`, linkinfo: { info_kind: 'bridge' } });
    expect(bj.flags).toContain('UP');
    expect(hostLinks.find((l) => l.ifname === v1.name)).toMatchObject({ master: br.name, ifalias: `ctnet:${v1.key}` });
    // Hairpin mode is set with the port's mark, in one request (markPort).
    for (const v of [v1, v2]) expect(hostLinks.find((l) => l.ifname === v.name).linkinfo.info_slave_data).toMatchObject({ hairpin: true });
    const eth0 = ipj(c1.name, 'link', 'show', 'eth0')[0];
    expect(eth0).toMatchObject({ address: v1.peerMac, ifalias: `ctnet:${v1.key}` });
    expect(eth0.flags).toContain('UP');
    expect(ipj(c1.name, 'route', 'show', 'default')[0]).toMatchObject({ gateway: '10.77.0.1', protocol: '199' });
    // ipv6: false disables IPv6 on both ends; v1 keeps it.
    expect(sh('cat', [`/proc/sys/net/ipv6/conf/eth0/disable_ipv6`], { ns: c2.name }).stdout.trim()).toBe('1');
    expect(sh('cat', [`/proc/sys/net/ipv6/conf/${v2.name}/disable_ipv6`], { ns: sbx }).stdout.trim()).toBe('1');
    expect(sh('cat', [`/proc/sys/net/ipv6/conf/eth0/disable_ipv6`], { ns: c1.name }).stdout.trim()).toBe('0');

    expect(ping(c1.name, '10.77.0.3')).toBe(true);
    expect(ping(c2.name, '10.77.0.1')).toBe(true);
  });

  it('dumps what it made with ownership marks', async () => {
    const host = await kernel.dump('host', ['net/ipv4/ip_forward', 'no/such/sysctl']);
    expect(host?.sysctls).toEqual({ 'net/ipv4/ip_forward': '0' });
    const bl = host!.links.find((l) => l.name === br.name)!;
    expect(bl).toMatchObject({ kind: 'bridge', alias: `ctnet:${br.key}`, mac: br.mac, up: true, mtu: 1500, group: 0xc7 });
    expect(host!.links.find((l) => l.name === v1.name)).toMatchObject({ kind: 'veth', master: bl.index, up: true });
    expect(host!.addrs).toContainEqual({ index: bl.index, family: 4, address: '10.77.0.1', prefix: 24, protocol: CTNET_PROTO, scope: 0 });
    const d1 = (await kernel.dump(c1.path, []))!;
    const e1 = d1.links.find((l) => l.name === 'eth0')!;
    expect(e1).toMatchObject({ kind: 'veth', alias: `ctnet:${v1.key}`, mac: v1.peerMac });
    expect(d1.addrs).toContainEqual({ index: e1.index, family: 6, address: 'fd00:77::2', prefix: 64, protocol: CTNET_PROTO, scope: 0 });
    expect(d1.routes).toContainEqual({ family: 4, table: 254, dst: '0.0.0.0/0', gateway: '10.77.0.1', oif: e1.index, protocol: CTNET_PROTO, type: 'UNICAST' });
    expect(d1.routes.find((r) => r.dst === '10.77.0.0/24')).toMatchObject({ protocol: 2 }); // kernel prefix route
    expect(await kernel.dump(`/run/netns/${prefix}nope`, [])).toBeNull();
  });

  it('updates, replaces and deletes', async () => {
    await kernel.run({ op: 'link.update', obj: { ...v1, mtu: 1400, peerMac: '02:42:0a:4e:aa:01' }, before: v1 });
    expect(ipj(c1.name, 'link', 'show', 'eth0')[0]).toMatchObject({ mtu: 1400, address: '02:42:0a:4e:aa:01' });
    expect(ipj(sbx, 'link', 'show', v1.name)[0]).toMatchObject({ mtu: 1400 });
    await kernel.run({ op: 'link.update', obj: { kind: 'loopback', key: 'lo/c2', ns: c2.path, up: false }, before: { kind: 'loopback', key: 'lo/c2', ns: c2.path, up: true } });
    expect(ipj(c2.name, 'link', 'show', 'lo')[0].flags).not.toContain('UP');

    await kernel.run({ op: 'route.replace', obj: routeObj(c1.path, '0.0.0.0/0', '10.77.0.3') });
    expect(ipj(c1.name, 'route', 'show', 'default')).toHaveLength(1);
    expect(ipj(c1.name, 'route', 'show', 'default')[0].gateway).toBe('10.77.0.3');
    await kernel.run({ op: 'route.delete', obj: routeObj(c1.path, '0.0.0.0/0', '10.77.0.3') });
    expect(ipj(c1.name, 'route', 'show', 'default')).toHaveLength(0);
    await kernel.run({ op: 'addr.delete', obj: addrObj(c1.path, 'eth0', 'fd00:77::2', 64) });
    expect(ipj(c1.name, 'addr', 'show', 'eth0')[0].addr_info.map((a: { local: string }) => a.local)).not.toContain('fd00:77::2');
    await kernel.run({ op: 'sysctl.set', obj: { kind: 'sysctl', key: 's', ns: 'host', path: 'net/ipv4/ip_forward', value: '1' } });
    expect(sh('cat', ['/proc/sys/net/ipv4/ip_forward'], { ns: sbx }).stdout.trim()).toBe('1');
  });

  it('keeps an ifindex for the pass only until ctnet deletes or makes that link again; a moved veth is a hairpin port', async () => {
    const br4 = bridgeObj(`${prefix}br4`, '02:42:0a:4d:00:04');
    const port = (i: number) => ({ ...vethObj(`${prefix}p${i}`, br4.name, c2.path, 20 + i, false), peerName: `eth${i}` });
    await kernel.run({ op: 'link.create', obj: br4 });
    await kernel.run({ op: 'link.create', obj: port(5) }); // looks br4 up: the answer is kept
    const first = ipj(sbx, 'link', 'show', br4.name)[0].ifindex;
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [br4] });
    await kernel.run({ op: 'link.create', obj: br4 });
    const again = ipj(sbx, 'link', 'show', br4.name)[0].ifindex;
    expect(again).not.toBe(first);
    // A kept index of the deleted bridge would fail this (no such device) or attach to whatever has it now.
    await kernel.run({ op: 'link.create', obj: port(6) });
    expect(ipj(sbx, 'link', 'show', port(6).name)[0]).toMatchObject({ master: br4.name });
    // Moved to another bridge (a new bridge port starts without hairpin mode): set again by updateLink.
    const br5 = bridgeObj(`${prefix}br5`, '02:42:0a:4d:00:05');
    await kernel.run({ op: 'link.create', obj: br5 });
    await kernel.run({ op: 'link.update', obj: { ...port(6), bridge: br5.name }, before: port(6) });
    const moved = ipj(sbx, '-d', 'link', 'show', port(6).name)[0];
    expect(moved).toMatchObject({ master: br5.name });
    expect(moved.linkinfo.info_slave_data).toMatchObject({ hairpin: true });
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [br4, br5, port(5), port(6)] });
    expect(ipj(sbx, 'link', 'show').map((l) => l.ifname)).not.toContain(br4.name);
  });

  it('leaves every thread of the process in its own namespace (KERNEL-FACTS B1)', async () => {
    await Promise.all(Array.from({ length: 8 }, () => import('node:fs/promises').then((f) => f.readFile('/proc/self/stat'))));
    const home = readlinkSync('/proc/self/ns/net');
    const threads = readdirSync('/proc/self/task').map((t) => readlinkSync(`/proc/self/task/${t}/ns/net`));
    expect(new Set(threads)).toEqual(new Set([home]));
  });

  it('reports kernel errors with names, namespace and advice', async () => {
    const err = await kernel.run({ op: 'link.create', obj: v1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.errno).toBe('EEXIST');
    expect(err.message).toContain(`create veth "${v1.name}" in the host namespace`);
    expect(err.message).toContain(`a link named "${v1.name}" already exists`);
    const gw = await kernel.run({ op: 'route.replace', obj: routeObj(c2.path, '10.5.0.0/16', '10.200.0.1') }).catch((e) => e);
    expect(gw.errno).toBe('ENETUNREACH');
    const addr = await kernel.run({ op: 'addr.add', obj: addrObj(c2.path, 'eth9', '10.1.1.1', 24) }).catch((e) => e);
    expect(addr.message).toMatch(/there is no link "eth9" in namespace/);
  });

  it('deletes links by group and namespaces with their markers', async () => {
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [v1, v2] });
    const names = ipj(sbx, 'link', 'show').map((l) => l.ifname);
    expect(names).not.toContain(v1.name);
    expect(names).not.toContain(v2.name);
    expect(names).toContain(br.name);
    expect(ipj(c1.name, 'link', 'show').map((l) => l.ifname)).toEqual(['lo']);
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [br] });
    await kernel.run({ op: 'netns.delete', obj: c1 });
    expect(sh('ip', ['netns', 'list']).stdout).not.toContain(c1.name);
    expect(existsSync(`/run/ctnet/netns/${c1.name}`)).toBe(false);
    expect((await kernel.listOwnedNetns()).map((n) => n.name)).not.toContain(c1.name);
    expect(await kernel.dump(c1.path, [])).toBeNull();
  });

  it('deletes ctnet\'s link group as it is only when nothing else is in it', async () => {
    const br3 = bridgeObj(`${prefix}br3`, '02:42:0a:4d:00:03');
    const w = [1, 2, 3, 4].map((i) => ({ ...vethObj(`${prefix}w${i}`, br3.name, c2.path, 10 + i, false), peerName: `eth${i}` }));
    await kernel.run({ op: 'link.create', obj: br3 });
    for (const v of w) await kernel.run({ op: 'link.create', obj: v });
    const hostLinks = () => ipj(sbx, 'link', 'show').map((l) => l.ifname);
    // Someone else's link in ctnet's group (0xc7): a group delete would take it along.
    sh('ip', ['-n', sbx, 'link', 'add', `${prefix}fx`, 'group', String(0xc7), 'type', 'bridge']);
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [w[0], w[1]] });
    expect(hostLinks()).toEqual(expect.arrayContaining([`${prefix}fx`, br3.name, w[2].name, w[3].name]));
    expect(hostLinks()).not.toContain(w[0].name);
    expect(hostLinks()).not.toContain(w[1].name);
    sh('ip', ['-n', sbx, 'link', 'del', `${prefix}fx`]);
    // One of ours moved out of the group by hand: deleted all the same, with the rest of the group.
    sh('ip', ['-n', sbx, 'link', 'set', w[2].name, 'group', '0']);
    await kernel.run({ op: 'link.delete', ns: 'host', objs: [br3, w[2], w[3]] });
    const left = hostLinks();
    for (const o of [br3, ...w]) expect(left).not.toContain(o.name);
    expect(ipj(c2.name, 'link', 'show').map((l) => l.ifname).filter((n) => /^eth[1-4]$/.test(n))).toEqual([]);
  });

  it('close() releases the namespaces its sockets pinned', async () => {
    // A veth into c2, then c2 removed behind our back: our open socket keeps c2 (and so
    // the veth's host end) alive until close().
    const k2 = await createKernel({ hostNs: `/run/netns/${sbx}` });
    await k2.run({ op: 'link.create', obj: bridgeObj(`${prefix}b2`) });
    await k2.run({ op: 'link.create', obj: vethObj(`${prefix}v3`, `${prefix}b2`, c2.path, 3) });
    expect(await k2.dump(c2.path, [])).not.toBeNull();
    sh('ip', ['netns', 'del', c2.name]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ipj(sbx, 'link', 'show').map((l) => l.ifname)).toContain(`${prefix}v3`);
    await k2.close();
    await kernel.close(); // the main kernel's socket in c2 pins it too
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gone = !ipj(sbx, 'link', 'show').map((l) => l.ifname).includes(`${prefix}v3`);
    }
    expect(gone).toBe(true);
  });

  it('a namespace file deleted and made again: dumps read the new one at once, requests after revalidate()', async () => {
    const name = `${prefix}re`;
    addNetns(name);
    sh('ip', ['-n', name, 'link', 'add', `${prefix}old`, 'type', 'bridge']);
    const path = `/run/netns/${name}`;
    expect((await kernel.dump(path, []))!.links.map((l) => l.name)).toContain(`${prefix}old`);
    expect((await kernel.getLinks(path, [`${prefix}old`]))!.map((l) => l.name)).toEqual([`${prefix}old`]); // keeps a socket
    sh('ip', ['netns', 'del', name]); // our socket keeps the old namespace alive
    addNetns(name);
    // A dump opens the file each time: the new namespace.
    expect((await kernel.dump(path, []))!.links.map((l) => l.name)).toEqual(['lo']);
    // Without a check the kept request socket still answers for the old namespace...
    expect((await kernel.getLinks(path, [`${prefix}old`]))!.map((l) => l.name)).toEqual([`${prefix}old`]);
    // ...a watch pass starts with revalidate(): the file names a new namespace, asked through a new socket.
    kernel.revalidate();
    expect(await kernel.getLinks(path, [`${prefix}old`])).toEqual([]);
  });

  it('lists the sockets bound in the namespace for the ports asked: TCP listeners and UDP, IPv4 and IPv6, with their owner', async () => {
    const servers = new Servers();
    const other = `${prefix}o`;
    addNetns(other);
    try {
      servers.start(sbx, 'a', 'tcp', 7101);
      servers.start(sbx, 'b', 'tcp', 7102, 6);
      servers.start(sbx, 'c', 'udp', 7103);
      servers.start(sbx, 'd', 'udp', 7104, 6);
      servers.start(other, 'e', 'tcp', 7105); // another namespace's: not the host's
      const line = (l: { proto: string; family: number; addr: string; port: number; owner?: string }) =>
        `${l.proto}${l.family} ${l.addr} ${l.port} ${/^socat \(pid \d+\)$/.test(l.owner ?? '') ? 'socat' : l.owner}`;
      let got: string[] = [];
      for (let i = 0; i < 50 && got.length < 4; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100)); // socat binds a moment after it starts
        got = (await kernel.listeners(HOST, [7101, 7102, 7103, 7104, 7105, 7999])).map(line).sort();
      }
      expect(got).toEqual(['tcp4 0.0.0.0 7101 socat', 'tcp6 :: 7102 socat', 'udp4 0.0.0.0 7103 socat', 'udp6 :: 7104 socat']);
      expect(await kernel.listeners(HOST, [7999])).toEqual([]);
    } finally {
      servers.stop();
      sh('ip', ['netns', 'del', other]);
    }
  });

  it('reads many namespaces at once, each its own, and a file that is no namespace as none', async () => {
    const names = Array.from({ length: 70 }, (_, i) => `${prefix}m${i}`); // above the split into pool jobs
    for (const n of names) { addNetns(n); sh('ip', ['-n', n, 'link', 'add', `${n}x`, 'type', 'bridge']); }
    const notNs = join(tmpdir(), `${prefix}-not-a-netns`);
    writeFileSync(notNs, '');
    try {
      const [host, ...dumps] = await Promise.all([kernel.dump('host', []), ...names.map((n) => kernel.dump(`/run/netns/${n}`, [])), kernel.dump(notNs, [])]);
      expect(host!.links.map((l) => l.name)).toContain('lo');
      expect(dumps.pop()).toBeNull();
      dumps.forEach((d, i) => expect(d!.links.map((l) => l.name).sort()).toEqual([`${names[i]}x`, 'lo']));
      expect(new Set(dumps.map((d) => d!.id)).size).toBe(names.length);
    } finally {
      rmSync(notNs, { force: true });
      for (const n of names) sh('ip', ['netns', 'del', n]);
    }
  });
});
