// Dispatch of one Operation to the adapter function for its object kind.
// No decisions and no retries here: the plan decided, this only executes.
import { writeFileSync } from 'node:fs';
import type { LinkObj, Operation } from '../model/ops.js';
import type { LoopbackObj, SysctlObj } from '../model/state.js';
import { attempt } from './errors.js';
import { deleteHostsFile, writeHostsFile } from './hosts.js';
import { applyNft } from './nft.js';
import { deleteFw, insertFw } from './fw.js';
import { createNetns, deleteNetns } from './netns.js';
import { nsName, type NsCtx } from './nsctx.js';
import { addAddr, deleteAddr } from './run-addr.js';
import { createBridge, createVeth, createVxlanLink, deleteLinks, updateLink } from './run-link.js';
import { deleteRoute, replaceRoute } from './run-route.js';

function setSysctl(ctx: NsCtx, s: SysctlObj): Promise<void> {
  // Synchronous on purpose: an async write would run on a threadpool thread
  // that stayed in the original namespace and change the wrong one.
  return attempt(`set sysctl ${s.path}=${s.value} in ${nsName(s.ns)}`,
    () => ctx.enter(s.ns, () => writeFileSync(`/proc/sys/${s.path}`, s.value)),
    { ENOENT: `no sysctl "${s.path}" there (is the link or kernel module missing?)` });
}

export async function run(ctx: NsCtx, op: Operation): Promise<void> {
  unindex(ctx, op);
  switch (op.op) {
    case 'netns.create': return createNetns(ctx, op.obj);
    case 'netns.delete': return deleteNetns(ctx, op.obj);
    case 'link.create': return op.obj.kind === 'bridge' ? createBridge(ctx, op.obj) : op.obj.kind === 'vxlan' ? createVxlanLink(ctx, op.obj) : createVeth(ctx, op.obj);
    case 'link.update': return updateLink(ctx, op.obj, op.before);
    case 'link.delete': return deleteLinks(ctx, op.ns, op.objs);
    case 'addr.add': return addAddr(ctx, op.obj);
    case 'addr.delete': return deleteAddr(ctx, op.obj);
    case 'route.replace': return replaceRoute(ctx, op.obj);
    case 'route.delete': return deleteRoute(ctx, op.obj);
    case 'sysctl.set': return setSysctl(ctx, op.obj);
    case 'hosts.write': return writeHostsFile(ctx, op.obj);
    case 'hosts.delete': return deleteHostsFile(ctx, op.obj);
    case 'nft.apply': return applyNft(ctx, op);
    case 'fw.insert': return insertFw(ctx, op.obj);
    case 'fw.delete': return deleteFw(ctx, op.obj);
  }
}

/** Before an operation that makes, changes or removes links or namespaces, forget the ifindexes it may change
 *  (NsCtx.ifindex keeps them for the rest of the pass). A veth's peer goes with it. */
function unindex(ctx: NsCtx, op: Operation): void {
  const link = (o: LinkObj | LoopbackObj) => {
    ctx.unindex(o.ns, o.kind === 'loopback' ? 'lo' : o.name);
    if (o.kind === 'veth') ctx.unindex(o.peerNs, o.peerName);
  };
  switch (op.op) {
    case 'netns.create': case 'netns.delete': ctx.unindex(op.obj.path); break;
    case 'link.create': case 'link.update': link(op.obj); break;
    case 'link.delete': op.objs.forEach(link); break;
    default: break;
  }
}
