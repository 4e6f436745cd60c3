// createKernel(): the real Kernel adapter (port.ts) over rtnetlink and the
// setns addon. NsRef 'host' is opts.hostNs when given (tests run inside a
// sandbox namespace), otherwise the namespace the process runs in.
import type { Kernel } from './port.js';
import { DEFAULT_PROJECT } from '../model/keys.js';
import { dump, getLinks, readSysctls } from './dump.js';
import { listHostsFiles } from './hosts.js';
import { listNamedNetns, listOwnedNetns } from './netns.js';
import { dumpNft, spawnNft } from './nft.js';
import { listNftTables } from './nft-tables.js';
import { forwardDrops } from './forward.js';
import { announce } from './announce.js';
import { readFwRules } from './fw.js';
import { listRouteRecords } from './route-records.js';
import { readApplied, writeApplied } from './applied.js';
import { listListeners } from './listeners.js';
import { NsCtx } from './nsctx.js';
import { holderOf, lockHost } from './lock.js';
import { NftEvents } from './nftevents.js';
import { RtEvents } from './rtevents.js';
import { loadNetlink } from './nlsock.js';
import { run } from './run.js';
import { prepareNetns } from './setns.js';

export interface KernelOptions {
  /** Netns file that plays the host namespace. */
  hostNs?: string;
  /** events() will be called (`ctnet watch`): load the netlink package (event sockets) now. */
  events?: boolean;
}

export async function createKernel(opts: KernelOptions = {}): Promise<Kernel> {
  await prepareNetns();
  if (opts.events) {
    await loadNetlink();
    spawnNft(); // a daemon keeps spawning nft (kernel/nft.ts)
  }
  const ctx = new NsCtx(opts.hostNs);
  return {
    dump: (ns, sysctls) => dump(ctx, ns, sysctls),
    getLinks: (ns, names) => getLinks(ctx, ns, names),
    listOwnedNetns: (only) => listOwnedNetns(ctx, only),
    listNamedNetns: async () => listNamedNetns(ctx),
    readSysctls: async (ns, paths) => (ctx.exists(ns) ? ctx.enter(ns, () => readSysctls(paths)) : null),
    listHostsFiles: () => listHostsFiles(ctx),
    dumpNft: (ns, table) => dumpNft(ctx, ns, table),
    listNftTables: (ns) => listNftTables(ctx, ns),
    forwardDrops: (ns) => forwardDrops(ctx, ns),
    announce: (ns, bridge, entries) => announce(ctx, ns, bridge, entries),
    readFwRules: (ns) => readFwRules(ctx, ns),
    listRouteRecords: async () => listRouteRecords(ctx),
    readApplied: async (project) => readApplied(ctx, project),
    writeApplied: async (project, digests) => writeApplied(ctx, project, digests),
    listeners: (ns, ports) => listListeners(ctx, ns, ports),
    lock: (kind, me, timeoutMs) => lockHost(ctx, kind, me, timeoutMs),
    manager: (project = DEFAULT_PROJECT) => holderOf(ctx, `watch:${project}`),
    events: (h) => {
      const rt = new RtEvents((ns, msgs) => h.onEvents(ns, msgs), (ns) => h.onLost(ns), h.warn);
      const nft = new NftEvents((pid) => h.onNft(pid), h.warn);
      rt.sync([]);
      nft.open();
      return { sync: (namespaces, recheck) => rt.sync(namespaces, recheck), close: () => { rt.close(); nft.close(); } };
    },
    run: (op) => run(ctx, op),
    close: async () => ctx.closeAll(),
    release: (ns) => { const p = ctx.path(ns); if (p) ctx.drop(p); },
    revalidate: () => ctx.revalidate(),
    rest: () => ctx.closeContainers(),
  };
}

export { KernelError } from '../errors.js';
export { thisProcess } from './lock.js';
