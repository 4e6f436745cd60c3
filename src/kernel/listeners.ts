// Sockets bound in a namespace, so a published port that shadows a host service can be warned about. Asked of
// the kernel's socket diagnostics (NETLINK_SOCK_DIAG, what `ss -l` asks): for listening TCP sockets the kernel
// walks only its table of listeners. /proc/net/tcp and tcp6 walk the whole connection hash table instead, ~4 ms
// each here even with no socket at all (8 ms of an apply with published ports). The socket is opened inside
// the namespace and closed after. Where the kernel has no diagnostics for a protocol (no inet_diag, tcp_diag or
// udp_diag, and no right to load them), that protocol is read from /proc. The owning process is looked up only
// for the ports asked about (scanning /proc/*/fd is the expensive part).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { NsRef } from '../model/state.js';
import { ipTextAt } from './inet.js';
import type { NlMessage } from './nlsock.js';
import type { NsCtx } from './nsctx.js';
import type { Listener } from './port.js';

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const AF = { 4: 2, 6: 10 } as const;
const IPPROTO = { tcp: 6, udp: 17 } as const;
// Socket states (the TCP ones; a UDP socket is "close" unless connected): TCP listeners, and UDP sockets
// with no peer (a connected one is a client's, not a server's).
const TCP_LISTEN = 10, TCP_CLOSE = 7;
/** sizeof(struct inet_diag_msg): family, state, timer, retrans, the socket id (48), expires, queues, uid, inode. */
const DIAG_MSG_LEN = 72;

/** struct inet_diag_req_v2: family, protocol, extensions, pad, the states wanted, and a socket id of zeros
 *  (every address and port). */
export function diagRequest(family: 4 | 6, proto: 'tcp' | 'udp'): Buffer {
  const b = Buffer.alloc(56);
  b[0] = AF[family];
  b[1] = IPPROTO[proto];
  b.writeUInt32LE(1 << (proto === 'tcp' ? TCP_LISTEN : TCP_CLOSE), 4);
  return b;
}

/** One struct inet_diag_msg: the local address and port (network order) and the socket's inode. */
export function parseDiag(data: Buffer, proto: 'tcp' | 'udp', family: 4 | 6): Listener & { inode: string } {
  return { proto, family, addr: ipTextAt(data, 8, family === 4 ? 4 : 16), port: data.readUInt16BE(4), inode: String(data.readUInt32LE(68)) };
}

function ownerOf(inodes: Set<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[] = [];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      let target = '';
      try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]) && !found.has(m[1])) {
        let comm = '?';
        try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { /* gone */ }
        found.set(m[1], `${comm} (pid ${pid})`);
      }
    }
  }
  return found;
}

type Kind = readonly ['tcp' | 'udp', 4 | 6];

export async function listListeners(ctx: NsCtx, ns: NsRef, ports: number[]): Promise<Listener[]> {
  const wanted = new Set(ports);
  const kinds: Kind[] = [['tcp', 4], ['tcp', 6], ['udp', 4], ['udp', 6]];
  const all = await ctx.withSock(ns, NETLINK_SOCK_DIAG, async (sock) => {
    const read = ([proto, family]: Kind) => sock.dump(SOCK_DIAG_BY_FAMILY, [diagRequest(family, proto)]).then(
      (msgs: NlMessage[]) => msgs.filter((m) => m.type === SOCK_DIAG_BY_FAMILY && m.data.length >= DIAG_MSG_LEN).map((m) => parseDiag(m.data, proto, family)),
      () => ctx.enter(ns, () => fromProc(proto, family)));
    return (await Promise.all(kinds.map(read))).flat();
  });
  const asked = all.filter((l) => wanted.has(l.port));
  const owners = asked.length ? ownerOf(new Set(asked.map((l) => l.inode))) : new Map<string, string>();
  return asked.map(({ inode, ...l }) => (owners.has(inode) ? { ...l, owner: owners.get(inode)! } : l));
}

/** The same from /proc/thread-self/net/ (the calling thread's namespace: call it inside). */
function fromProc(proto: 'tcp' | 'udp', family: 4 | 6): (Listener & { inode: string })[] {
  let text = '';
  try { text = readFileSync(`/proc/thread-self/net/${proto}${family === 6 ? '6' : ''}`, 'utf8'); } catch { return []; }
  return parseProc(text, proto, family);
}

/** /proc/net/{tcp,udp}[6]: "sl local rem st ... inode", addresses in hex of 32-bit words in host (little-endian)
 *  byte order. */
export function parseProc(text: string, proto: 'tcp' | 'udp', family: 4 | 6): (Listener & { inode: string })[] {
  const out: (Listener & { inode: string })[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (parseInt(f[3], 16) !== (proto === 'tcp' ? TCP_LISTEN : TCP_CLOSE)) continue; // listening; a UDP socket with no peer
    const [hex, port] = f[1].split(':');
    const bytes = Buffer.from(hex, 'hex');
    for (let w = 0; w < bytes.length; w += 4) bytes.subarray(w, w + 4).reverse();
    out.push({ proto, family, addr: ipTextAt(bytes, 0, bytes.length), port: parseInt(port, 16), inode: f[9] });
  }
  return out;
}
