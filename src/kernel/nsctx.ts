// Namespace resolution and per-namespace sockets. NsRef 'host' is the
// namespace the adapter was told about (opts.hostNs: tests pass a sandbox),
// else the process's own; every other NsRef is a netns file path. Nothing
// here assumes the process's namespace is the host.
import { closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import type { NsRef } from '../model/state.js';
import { NETLINK_ROUTE, NlError, NlSock, openNetlink } from './nlsock.js';
import { cstr, IFLA, ifinfomsg, nla, RTM, str } from './nlmsg.js';
import { inNetns } from './setns.js';
import { NetnsReader } from './readns.js';

export class NsCtx {
  private socks = new Map<NsRef, NlSock>();
  /** Inode of the namespace each socket was opened in: a namespace file deleted and made again (by
   *  `ip netns del` + add, or by ctnet) names a new namespace, and the old socket would act in the old one. */
  private inodes = new Map<NsRef, number>();
  /** Namespaces whose socket was checked against its file since the last revalidate(). */
  private checked = new Set<NsRef>();

  /** ifindex lookups of this pass, by namespace and link name (see ifindex). */
  private indexes = new Map<NsRef, Map<string, Promise<number>>>();

  /** The host namespace's /proc/sys/net/ipv6/conf, open (see ipv6Conf). */
  private hostConf?: number;

  /** Whole-namespace reads (observe), batched onto the threadpool; sockets here are for requests. */
  readonly reader = new NetnsReader();

  constructor(readonly hostNs?: string) {}

  /** The netns file of ns, or undefined for the process's own namespace. */
  path(ns: NsRef): string | undefined {
    return ns === 'host' ? this.hostNs : ns;
  }

  /** Whether ns can name a namespace at all: the process's own, or a file. A reference that is not a path
   *  (a `docker:` container that is not running) names none. */
  nameable(ns: NsRef): boolean {
    const p = this.path(ns);
    return p === undefined || p.startsWith('/');
  }

  exists(ns: NsRef): boolean {
    const p = this.path(ns);
    return this.nameable(ns) && (p === undefined || existsSync(p));
  }

  /** Run a synchronous fn inside ns (sysctl files, socket creation). */
  enter<T>(ns: NsRef, fn: () => T): T {
    const p = this.path(ns);
    return p === undefined ? fn() : inNetns(p, fn);
  }

  /** The directory of ns's IPv6 device settings (/proc/sys/net/ipv6/conf), for a path used inside
   *  enter(ns). Every namespace has its own entries for "ipv6" and "conf", and the kernel's lookup of one of
   *  those names walks them all (~100 us per path at 1000 namespaces, against ~8 below an open directory):
   *  the host's, where one setting per container's veth is written, is looked up once and kept open. */
  ipv6Conf(ns: NsRef): string {
    if (ns !== 'host') return '/proc/sys/net/ipv6/conf';
    this.hostConf ??= this.enter(ns, () => openSync('/proc/sys/net/ipv6/conf', constants.O_RDONLY | constants.O_DIRECTORY));
    return `/proc/self/fd/${this.hostConf}`;
  }

  sock(ns: NsRef): NlSock {
    const path = this.path(ns);
    if (path !== undefined && !this.checked.has(ns)) {
      // Once per namespace per revalidate() (a stat costs ~5 us; a pass makes thousands of requests).
      this.checked.add(ns);
      const ino = inodeOf(path);
      if (this.socks.has(ns) && this.inodes.get(ns) !== ino) this.drop(path);
      if (ino !== undefined) this.inodes.set(ns, ino);
    }
    let s = this.socks.get(ns);
    if (!s) {
      s = new NlSock(() => this.enter(ns, () => openNetlink(NETLINK_ROUTE)));
      this.socks.set(ns, s);
    }
    return s;
  }

  /** fn with a socket of `protocol` in ns of its own (sock() keeps the rtnetlink ones), closed when fn ends. */
  async withSock<T>(ns: NsRef, protocol: number, fn: (s: NlSock) => Promise<T>): Promise<T> {
    const s = new NlSock(() => this.enter(ns, () => openNetlink(protocol)));
    try {
      return await fn(s);
    } finally {
      s.close();
    }
  }

  /** Check every namespace file again on its next use (`ctnet watch` keeps one NsCtx across passes). */
  revalidate(): void {
    this.checked.clear();
    this.indexes.clear();
  }

  /** Close the sockets bound to the namespace file `path`: an open socket pins a namespace. */
  drop(path: string): void {
    for (const ns of this.socks.keys()) if (this.path(ns) === path) this.forget(ns);
  }

  /** Close every socket but the host's (see Kernel.rest). */
  closeContainers(): void {
    for (const ns of this.socks.keys()) if (ns !== 'host') this.forget(ns);
    this.indexes.clear();
  }

  private forget(ns: NsRef): void {
    this.unindex(ns);
    this.socks.get(ns)?.close();
    this.socks.delete(ns);
    this.inodes.delete(ns);
    this.checked.delete(ns);
  }

  closeAll(): void {
    if (this.hostConf !== undefined) closeSync(this.hostConf);
    this.hostConf = undefined;
    for (const s of this.socks.values()) s.close();
    this.socks.clear();
    this.inodes.clear();
    this.checked.clear();
    this.indexes.clear();
  }

  /** ifindex of the link called name in ns (GETLINK by IFLA_IFNAME). An apply asks the same ones many times
   *  (the bridge for each of its veths, a container's eth0 for its address and again for its route): an answer
   *  is kept until ctnet creates, changes or deletes a link of that name there or the namespace (unindex, called
   *  by the dispatcher before such an operation), and never past a pass (revalidate and closeContainers forget
   *  them all). A failed lookup is not kept. */
  ifindex(ns: NsRef, name: string): Promise<number> {
    let inNs = this.indexes.get(ns);
    if (!inNs) this.indexes.set(ns, (inNs = new Map()));
    let index = inNs.get(name);
    if (!index) {
      index = this.lookup(ns, name);
      inNs.set(name, index);
      const kept = inNs;
      index.catch(() => { if (kept.get(name) === index) kept.delete(name); });
    }
    return index;
  }

  /** Forget the ifindex of name in ns, or of every link in ns. */
  unindex(ns: NsRef, name?: string): void {
    if (name === undefined) this.indexes.delete(ns);
    else this.indexes.get(ns)?.delete(name);
  }

  private async lookup(ns: NsRef, name: string): Promise<number> {
    const [m] = await this.sock(ns).request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str(name))]);
    if (!m) throw new NlError('ENODEV', `no link named "${name}"`);
    return m.data.readInt32LE(4);
  }
}

function inodeOf(path: string): number | undefined {
  try { return statSync(path).ino; } catch { return undefined; }
}

/** How a namespace is named in messages. */
export const nsName = (ns: NsRef) => (ns === 'host' ? 'the host namespace' : `namespace "${ns}"`);
export { cstr };
