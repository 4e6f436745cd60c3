// One rtnetlink event socket per namespace (host + every container namespace of
// the topology). A socket is created inside its namespace with the setns helper
// and stays bound there (KERNEL-FACTS B1). Sockets are separate from the
// request sockets, 4 MB receive buffers, read at the raw 'message' level
// because the typed API drops nlmsg_type (A4). An open socket pins its
// namespace: after `ip netns del` the old namespace (and the veth host end)
// only goes away once we close our socket, so sync() closes sockets whose
// namespace file vanished or now names another namespace.
import { statSync } from 'node:fs';
import type { NetlinkSocket } from 'netlink';
import { inNetns } from './setns.js';
import { HOST, type NsRef } from '../model/state.js';
import type { RawEvent } from './port.js';
import { netlinkNow } from './nlsock.js';

export type { RawEvent };

/** RTNLGRP_LINK, IPV4_IFADDR, IPV4_ROUTE, IPV6_IFADDR, IPV6_ROUTE, IPV4_NETCONF, IPV6_NETCONF
 *  (linux/rtnetlink.h). The netconf groups say when forwarding is switched (net.ipv4.ip_forward,
 *  net.ipv6.conf.all.forwarding): sysctls ctnet manages that would otherwise wait for the resync. */
const GROUPS = [1, 5, 7, 9, 11, 24, 25];
/** RTNLGRP_NEIGH, in the host namespace only: the overlay device's static entries (watch/events-filter.ts
 *  keeps only permanent ones, so ordinary ARP traffic is dropped there). */
const RTNLGRP_NEIGH = 3;
const RCVBUF = 4 << 20;
const REOPEN_MS = 100;

/** Called once per batch of messages read from the socket of one namespace. */
export type EventsHandler = (ns: NsRef, msgs: RawEvent[]) => void;
/** Something went wrong with a socket (it is reopened): a one-line warning and its fields. */
export type Warn = (msg: string, fields: Record<string, unknown>) => void;

interface Entry { sock: NetlinkSocket; ino?: number }

const inode = (path: string): number | undefined => {
  try { return statSync(path).ino; } catch { return undefined; }
};

export class RtEvents {
  private socks = new Map<NsRef, Entry>();
  private wanted = new Set<NsRef>([HOST]);
  private reopenTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly onEvents: EventsHandler, private readonly onLost: (ns: NsRef) => void, private readonly warn: Warn) {}

  /** Listen in exactly these namespaces (host is always included). Returns namespaces whose socket was
   *  closed because their file vanished or was replaced (the caller should reconcile). `recheck` says which
   *  of the namespaces already listened in are looked at again (a stat each: ~5 ms at 1000 namespaces). */
  sync(namespaces: Iterable<NsRef>, recheck: (ns: NsRef) => boolean = () => true): NsRef[] {
    this.wanted = new Set<NsRef>([HOST, ...namespaces]);
    const gone: NsRef[] = [];
    for (const [ns, e] of this.socks) {
      if (ns === HOST) continue;
      const ino = !this.wanted.has(ns) || recheck(ns) ? inode(ns) : e.ino;
      if (!this.wanted.has(ns) || ino !== e.ino) {
        this.drop(ns);
        if (this.wanted.has(ns)) gone.push(ns);
      }
    }
    for (const ns of this.wanted) if (!this.socks.has(ns)) this.open(ns);
    return gone;
  }

  get size(): number { return this.socks.size; }

  private open(ns: NsRef): void {
    if (this.closed) return;
    const ino = ns === HOST ? undefined : inode(ns);
    if (ns !== HOST && ino === undefined) return; // not there (yet): the next sync opens it
    let sock: NetlinkSocket;
    try {
      const create = () => netlinkNow().createNetlink(0 /* NETLINK_ROUTE */, { ref: true } as never);
      sock = ns === HOST ? create() : inNetns(ns, create);
      sock.setRecvBufferSize(RCVBUF);
      for (const g of ns === HOST ? [...GROUPS, RTNLGRP_NEIGH] : GROUPS) sock.addMembership(g);
    } catch (err) {
      this.warn('event socket', { ns, error: (err as Error).message ?? String(err) });
      return;
    }
    sock.on('message', (msgs) => this.onEvents(ns, msgs as RawEvent[]));
    sock.on('error', (err) => {
      // An overrun (ENOBUFS, reported by the patched binding as EBADF/poll) means events were
      // lost: reopen and let a full resync find whatever we missed.
      this.warn('event socket failed; reopening', { ns, error: err.code ?? err.message });
      if (this.socks.get(ns)?.sock === sock) this.drop(ns);
      const t = setTimeout(() => {
        this.reopenTimers.delete(t);
        if (this.wanted.has(ns) && !this.socks.has(ns)) this.open(ns);
        this.onLost(ns);
      }, REOPEN_MS);
      this.reopenTimers.add(t);
    });
    this.socks.set(ns, { sock, ino });
  }

  private drop(ns: NsRef): void {
    const e = this.socks.get(ns);
    this.socks.delete(ns);
    if (e) try { e.sock.close(); } catch { /* already closed */ }
  }

  close(): void {
    this.closed = true;
    for (const t of this.reopenTimers) clearTimeout(t);
    for (const ns of [...this.socks.keys()]) this.drop(ns);
  }
}
