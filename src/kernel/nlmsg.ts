// Hand-rolled rtnetlink encoding. The `netlink` package's typed API cannot
// carry IFA_PROTO, drops nlmsg_type and flags (so no NLM_F_DUMP_INTR), and
// parses every attribute of every message (stats included), which is most of
// the cost of a dump. The structures here are small and fixed (linux/rtnetlink.h).

export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18, SETLINK: 19,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
  NEWNEIGH: 28, DELNEIGH: 29, GETNEIGH: 30,
} as const;

export const NLM_F = {
  MULTI: 0x2, ECHO: 0x8, DUMP_INTR: 0x10,
  REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, DUMP: 0x300,
} as const;

export const IFLA = {
  ADDRESS: 1, IFNAME: 3, MTU: 4, MASTER: 10, LINKINFO: 18, IFALIAS: 20, GROUP: 27, NET_NS_FD: 28, EXT_MASK: 29,
  NUM_TX_QUEUES: 31, NUM_RX_QUEUES: 32,
} as const;
/** IFLA_EXT_MASK bit: leave the ~500 bytes of counters out of link dumps. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
export const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4, SLAVE_DATA: 5 } as const;
export const VETH_INFO_PEER = 1;
/** linux/if_link.h IFLA_VXLAN_*: the attributes ctnet sets and reads back. */
export const IFLA_VXLAN = { ID: 1, LOCAL: 4, LEARNING: 7, PORT: 15 } as const;
/** linux/neighbour.h: NDA_* attributes, NUD_PERMANENT, NTF_SELF (an FDB entry of the device itself). */
export const NDA = { DST: 1, LLADDR: 2 } as const;
export const NUD_PERMANENT = 0x80;
export const NTF_SELF = 0x02;
export const AF_BRIDGE = 7;
/** struct ndmsg: family, pad, pad, ifindex, state, flags, type. */
export function ndmsg(family: number, index: number, state = NUD_PERMANENT, flags = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(family, 0);
  b.writeInt32LE(index, 4);
  b.writeUInt16LE(state, 8);
  b.writeUInt8(flags, 10);
  return b;
}
export const IFF_UP = 0x1;

export const IFA = { ADDRESS: 1, LOCAL: 2, FLAGS: 8, PROTO: 11 } as const;
export const IFA_F_NODAD = 0x02;

export const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, TABLE: 15 } as const;
export const RT_TABLE_MAIN = 254;
export const RT_SCOPE = { UNIVERSE: 0, LINK: 253, NOWHERE: 255 } as const;
export const RTN_UNICAST = 1;
export const RTN_NAMES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST',
  'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

// ---- encoding ----
export function nla(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}
export const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
export const u8 = (v: number) => Buffer.from([v]);
export const str = (s: string) => Buffer.concat([Buffer.from(s), Buffer.alloc(1)]);
export const nest = (type: number, parts: Buffer[]) => nla(type, Buffer.concat(parts));

export interface IfInfo { index?: number; flags?: number; change?: number }
export function ifinfomsg(h: IfInfo = {}): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE(h.flags ?? 0, 8);
  b.writeUInt32LE(h.change ?? 0, 12);
  return b;
}

export function ifaddrmsg(af: number, prefix: number, flags: number, index: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(af, 0); b.writeUInt8(prefix, 1); b.writeUInt8(flags, 2);
  b.writeUInt32LE(index, 4);
  return b;
}

/** struct nfgenmsg of an nfnetlink request (nf_tables, ctnetlink): the address family asked about, NFNETLINK_V0,
 *  resource id 0. */
export const nfgenmsg = (family: number) => Buffer.from([family, 0, 0, 0]);
/** nfnetlink's subsystems; a message's type is its subsystem's number in the high byte, the message in the low. */
export const NFNL_SUBSYS = { CTNETLINK: 1, NFTABLES: 10 } as const;
export const nfnlType = (subsys: number, msg: number) => (subsys << 8) | msg;

export interface RtHdr { af: number; dstLen: number; protocol: number; scope: number; type: number }
export function rtmsg(h: RtHdr): Buffer {
  return Buffer.from([h.af, h.dstLen, 0, 0, RT_TABLE_MAIN, h.protocol, h.scope, h.type, 0, 0, 0, 0]);
}

// ---- decoding ----
/** Each netlink message in data[start, end), in order: its type and where its payload (after the 16-byte header)
 *  is in `data`, [base, end). No view or object per message (dump.ts says why); a truncated message ends the walk. */
export function forEachMessage(read: { data: Buffer; start: number; end: number }, fn: (type: number, data: Buffer, base: number, end: number) => void): void {
  const { data, end } = read;
  for (let off = read.start; off + 16 <= end;) {
    const len = data.readUInt32LE(off);
    if (len < 16 || off + len > end) break;
    fn(data.readUInt16LE(off + 4), data, off + 16, off + len);
    off += (len + 3) & ~3;
  }
}

/** Attributes of a message body after its fixed header, by type (nested flag masked off). `want`:
 *  only these types (a link message carries ~50 attributes; a dump of 1000 links makes a lot of
 *  garbage if each becomes a Buffer view). */
export function attrs(buf: Buffer, offset: number, want?: ReadonlySet<number>): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let o = offset;
  while (o + 4 <= buf.length) {
    const len = buf.readUInt16LE(o);
    if (len < 4 || o + len > buf.length) break;
    const type = buf.readUInt16LE(o + 2) & 0x3fff;
    if (!want || want.has(type)) out.set(type, buf.subarray(o + 4, o + len));
    o += (len + 3) & ~3;
  }
  return out;
}
/** Where each attribute of one message body lies (types below 64), without a Map or a Buffer view per
 *  attribute: a dump of 1000 namespaces decodes ~10000 messages, and those views were most of its
 *  garbage. One index is reused for each message: read what is needed before indexing the next. */
export class AttrIndex {
  private readonly start = new Int32Array(64);
  private readonly end = new Int32Array(64);
  private buf: Buffer = Buffer.alloc(0);

  /** Index the attributes of buf[from, to); a later type's copy wins, as in attrs(). */
  of(buf: Buffer, from: number, to = buf.length): this {
    this.buf = buf;
    this.start.fill(-1);
    let o = from;
    while (o + 4 <= to) {
      const len = buf[o] | (buf[o + 1] << 8);
      if (len < 4 || o + len > to) break;
      const type = (buf[o + 2] | (buf[o + 3] << 8)) & 0x3fff;
      if (type < 64) { this.start[type] = o + 4; this.end[type] = o + len; }
      o += (len + 3) & ~3;
    }
    return this;
  }

  has(type: number): boolean { return this.start[type] >= 0; }
  /** Payload offsets [from, to) of `type` (the caller checked has()). */
  from(type: number): number { return this.start[type]; }
  to(type: number): number { return this.end[type]; }
  length(type: number): number { return this.start[type] < 0 ? -1 : this.end[type] - this.start[type]; }
  u32(type: number): number | undefined { const at = this.start[type]; return at < 0 || this.end[type] - at < 4 ? undefined : this.buf.readUInt32LE(at); }
  u8(type: number): number | undefined { const at = this.start[type]; return at < 0 || this.end[type] <= at ? undefined : this.buf[at]; }
  /** A NUL-terminated string attribute (up to its first NUL). */
  str(type: number): string | undefined {
    const at = this.start[type];
    if (at < 0) return undefined;
    // A loop, not buf.indexOf(0, at): names are a few bytes, and indexOf is a call into C++ for each one.
    const end = this.end[type];
    let z = at;
    while (z < end && this.buf[z] !== 0) z++;
    return this.buf.toString('utf8', at, z);
  }
  /** A view of the payload (for the rare attribute decoded elsewhere). */
  bytes(type: number): Buffer | undefined { const at = this.start[type]; return at < 0 ? undefined : this.buf.subarray(at, this.end[type]); }
}

export const cstr = (b: Buffer) => { const z = b.indexOf(0); return b.toString('utf8', 0, z < 0 ? b.length : z); };
