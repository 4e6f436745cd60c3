// What a watch pass is about. Every trigger says "reconcile soon" and adds what
// it knows: a file change, a reload or a resync needs a full pass; a kernel
// event names its namespace (and, for a veth host end in the host, the
// container it belongs to by its mark), so the pass can read and plan just
// that. Triggers that arrive while a pass is pending are merged.

import type { Step } from '../model/ops.js';
import { HOST, type NsRef } from '../model/state.js';

export interface Scope {
  /** Read and plan everything (start, file change, SIGHUP, resync, retry, lost events). */
  full: boolean;
  /** Container namespaces to dump again whole (they are small). */
  ns: Set<NsRef>;
  /** Containers (by label) whose veth host ends changed in the host namespace. */
  labels: Set<string>;
  /** Host links to look up again by name (besides the veth host ends of the containers in scope). */
  hostLinks: Set<string>;
  /** Dump the host namespace again whole (a bridge, host address or route changed). */
  host: boolean;
  nft: boolean;
  /** List ctnet's namespaces again (a namespace file appeared or vanished). */
  netns: boolean;
  /** Read the hosts/resolv.conf files again (a pass wrote them). */
  files: boolean;
}

export const emptyScope = (): Scope =>
  ({ full: false, ns: new Set(), labels: new Set(), hostLinks: new Set(), host: false, nft: false, netns: false, files: false });

export const fullScope = (): Scope => ({ ...emptyScope(), full: true });

export function mergeScope(a: Scope, b: Partial<Scope>): Scope {
  const u = <T>(x: Set<T>, y?: Set<T>) => (y ? new Set([...x, ...y]) : x);
  return {
    full: a.full || !!b.full, ns: u(a.ns, b.ns), labels: u(a.labels, b.labels), hostLinks: u(a.hostLinks, b.hostLinks),
    host: a.host || !!b.host, nft: a.nft || !!b.nft, netns: a.netns || !!b.netns, files: a.files || !!b.files,
  };
}

/** What verify must read again after these steps, besides the pass's namespaces (read whole anyway). */
export function touched(steps: Step[]): Scope {
  const s = emptyScope();
  for (const { op } of steps) {
    if (op.op === 'nft.apply') s.nft = true;
    else if (op.op === 'netns.create' || op.op === 'netns.delete') s.netns = true;
    else if (op.op === 'hosts.write' || op.op === 'hosts.delete') s.files = true;
    else if (op.op === 'link.delete') { if (op.ns === HOST && op.objs.some((o) => o.kind !== 'veth')) s.host = true; }
    else if (op.op === 'link.create') { if (op.obj.kind !== 'veth') s.host = true; }
    else if (op.op === 'link.update') { if (op.obj.ns === HOST && op.obj.kind !== 'veth') s.host = true; }
    else if (op.obj.ns === HOST) s.host = true; // a host address, route or sysctl
  }
  return s;
}

