// Operations: what the planner asks the kernel adapter to do. Each carries the
// whole object (and the previous one where it changes something), so that
// apply can undo a step without observing again.
import type { AddrObj, BridgeObj, FwAcceptObj, HostsFileObj, Key, LoopbackObj, NetnsObj, NftTableObj, NsRef, RouteObj, SysctlObj, VethObj, VxlanObj } from './state.js';

export type LinkObj = BridgeObj | VethObj | VxlanObj;

export type Operation =
  | { op: 'netns.create'; obj: NetnsObj }
  | { op: 'netns.delete'; obj: NetnsObj }
  | { op: 'link.create'; obj: LinkObj }
  /** Change mtu / mac / up / master of an existing link (host end and peer for veths). */
  | { op: 'link.update'; obj: LinkObj | LoopbackObj; before: LinkObj | LoopbackObj }
  /** Delete links of one namespace together (group delete; a veth takes its peer along). */
  | { op: 'link.delete'; ns: NsRef; objs: LinkObj[] }
  | { op: 'addr.add'; obj: AddrObj }
  | { op: 'addr.delete'; obj: AddrObj }
  /** Create or replace in place (RTM_NEWROUTE CREATE|REPLACE). `before` is set when replacing. */
  | { op: 'route.replace'; obj: RouteObj; before?: RouteObj }
  | { op: 'route.delete'; obj: RouteObj }
  | { op: 'sysctl.set'; obj: SysctlObj; before?: string }
  /** Write (create or replace) ctnet's block in a hosts/resolv.conf file; `before` is set when it replaces one. */
  | { op: 'hosts.write'; obj: HostsFileObj; before?: HostsFileObj }
  /** Remove ctnet's block; the file too when ctnet created it and nothing else is left in it. */
  | { op: 'hosts.delete'; obj: HostsFileObj }
  /** Replace ctnet's nftables table in one atomic transaction; no `obj` = delete the table. */
  | { op: 'nft.apply'; ns: NsRef; obj?: NftTableObj; before?: NftTableObj }
  /** Insert / delete ctnet's two accept rules of a bridge in Docker's DOCKER-USER chain (kernel/fw.ts). */
  | { op: 'fw.insert'; obj: FwAcceptObj }
  | { op: 'fw.delete'; obj: FwAcceptObj };

export type Action = 'create' | 'update' | 'replace' | 'delete';
export type Reason =
  | 'missing'            // desired, not in the kernel
  | 'drifted'            // in the kernel with other attributes than ctnet applied
  | 'changed'            // the topology asks for other attributes than ctnet last applied (plan/reasons.ts)
  | 'not-in-topology'    // owned, no longer desired
  | 'immutable-changed'  // must be recreated to change (e.g. a veth moved to another namespace)
  | 'parent-replaced';   // recreated because the link it lives on is recreated

/** One operation of a plan before it is ordered into phases (plan/order.ts). */
export interface Draft { key: Key; action: Action; reason: Reason; detail?: string; op: Operation }

export interface Step {
  op: Operation;
  key: Key;
  action: Action;
  reason: Reason;
  /** Short human detail: "mtu 1500 -> 9000". */
  detail?: string;
  /** Steps with the same phase have no dependencies on each other and may run concurrently. */
  phase: number;
}

/** Something in the kernel is in the way and is not ctnet's: the plan cannot be applied. */
export interface Conflict {
  key: Key;                // the desired object that cannot be realised
  message: string;         // what is in the way, quoted names and namespaces
  hint?: string;           // what the operator can do
}

/** A container whose namespace is gone (its process or Docker container is not running): the plan leaves
 *  its objects alone, on both sides, and the rest of the host converges without it. */
export interface Waiting {
  container: string;
  ns: NsRef;
  why: string;
}

export interface Plan {
  formatVersion: 1;
  steps: Step[];
  conflicts: Conflict[];
  /** Containers left out of this plan until they run again (reconcile/waiting.ts); absent when none. */
  waiting?: Waiting[];
}
