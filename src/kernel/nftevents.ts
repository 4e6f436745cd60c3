// nftables change events (NFNLGRP_NFTABLES) in the host namespace. A committed
// transaction is notified object by object (table, chain, rule, set, element:
// each carries its table name in attribute 1) and closed by NFT_MSG_NEWGEN,
// which carries the pid of the process that committed it (KERNEL-FACTS C4).
// We report a change only when the transaction touched ctnet's table and was
// not committed by ctnet itself: one of its nft children (the daemon spawns nft), or this process
// and its threads (where libnftables runs in-process, the kernel names the pool thread that committed).
// If the table does not exist yet nothing is notified, which is fine: the
// next reconcile creates it.
import { existsSync, readFileSync } from 'node:fs';
import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import { projectOfTable } from '../model/keys.js';
import { attrs, cstr, NFNL_SUBSYS } from './nlmsg.js';
import type { Warn } from './rtevents.js';
import { NETLINK_NETFILTER, netlinkNow } from './nlsock.js';

const NFNLGRP_NFTABLES = 7;
const NFT_MSG_NEWGEN = 15;
const NFTA_GEN_PROC_PID = 2;

/** Table name (attribute 1, after the 4-byte nfgenmsg) of a notification, if any. */
export function tableOf(m: { data: Buffer }): string | undefined {
  const name = attr(m.data, 1);
  return name && cstr(name);
}

/** One attribute of a message after its 4-byte nfgenmsg. */
const attr = (d: Buffer, want: number): Buffer | undefined => attrs(d, 4, new Set([want])).get(want);

/** The committing pid of a NEWGEN message (network byte order). */
export function genPid(m: { data: Buffer }): number | undefined {
  const a = attr(m.data, NFTA_GEN_PROC_PID);
  return a && a.length >= 4 ? a.readUInt32BE(0) : undefined;
}

/** True for this process, its threads and its direct children (the nft processes ctnet spawns). */
export function isOurs(pid: number): boolean {
  if (pid === process.pid || existsSync(`/proc/self/task/${pid}`)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
  } catch {
    return false; // already gone: can't tell; changes made during our own apply are ignored anyway
  }
}

export class NftEvents {
  private sock?: NetlinkSocket;
  private touched = false;
  private stopped = false;

  constructor(private readonly onChange: (pid: number | undefined) => void, private readonly warn: Warn) {}

  open(): void {
    if (this.stopped) return;
    try {
      const s = netlinkNow().createNetlink(NETLINK_NETFILTER, { ref: true } as never);
      s.setRecvBufferSize(4 << 20);
      s.addMembership(NFNLGRP_NFTABLES);
      s.on('message', (msgs) => this.handle(msgs));
      s.on('error', (err) => {
        this.warn('nftables event socket failed; reopening', { error: err.code ?? err.message });
        this.sock = undefined;
        try { s.close(); } catch { /* already closed */ }
        this.onChange(undefined); // events may be lost: resync
        setTimeout(() => this.open(), 100).unref();
      });
      this.sock = s;
    } catch (err) {
      this.warn('nftables events unavailable', { error: (err as Error).message ?? String(err) });
    }
  }

  private handle(msgs: NetlinkMessage[]): void {
    for (const m of msgs) {
      if (m.type >> 8 !== NFNL_SUBSYS.NFTABLES) continue;
      if ((m.type & 0xff) !== NFT_MSG_NEWGEN) {
        // Any project's table: a daemon re-reads its own, and one about another project reads no change.
        const t = tableOf(m);
        if (t !== undefined && projectOfTable(t) !== undefined) this.touched = true;
        continue;
      }
      const pid = genPid(m);
      if (this.touched && !(pid !== undefined && isOurs(pid))) this.onChange(pid);
      this.touched = false;
    }
  }

  close(): void {
    this.stopped = true;
    const s = this.sock;
    this.sock = undefined;
    if (s) try { s.close(); } catch { /* already closed */ }
  }
}
