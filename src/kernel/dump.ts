// dump(ns): links, addresses and main-table routes of one namespace as the raw
// shapes of port.ts. Three dumps, run on the threadpool with the other
// namespaces read at the same time (readns.ts), decoded by hand (only the
// attributes we use).
import { readFileSync } from 'node:fs';
import { HOST, type NsRef } from '../model/state.js';
import type { NsDump, RawAddr, RawLink, RawRoute } from './port.js';
import { ipTextAt, macTextAt } from './inet.js';
import { AttrIndex, forEachMessage, IFA, IFF_UP, IFLA, IFLA_INFO, ifinfomsg, nla, str, RT_TABLE_MAIN, RTEXT_FILTER_SKIP_STATS, u32, RTA, RTM, RTN_NAMES } from './nlmsg.js';
import { nsName, type NsCtx } from './nsctx.js';
import { attempt } from './errors.js';
import { NlError, type NlSock } from './nlsock.js';
import { dumpNeighbours, parseVxlanData } from './run-vxlan.js';
import type { NsRead } from './readns.js';

const RTM_F_CLONED = 0x200;
const RT_TABLE_COMPAT = 252;

const RTNH_F_ONLINK = 0x4;

// The parsers read one message's payload (after the netlink header): bytes [base, end) of `d`, a message's own
// `data` (base 0) or a stretch of the buffer a whole namespace was read into (readns.ts): a full read at 1000
// containers is ~14 000 messages, and a Buffer view per message was ~1.4 MB of garbage and ~3 ms per pass.

// Reused attribute indexes (one message at a time; LINKINFO's nested attributes have their own).
const at = new AttrIndex();
const info = new AttrIndex();

export function parseLink(d: Buffer, base = 0, end = d.length): RawLink {
  at.of(d, base + 16, end);
  const link: RawLink = {
    index: d.readInt32LE(base + 4),
    name: at.str(IFLA.IFNAME) ?? '',
    mtu: at.u32(IFLA.MTU) ?? 0,
    up: (d.readUInt32LE(base + 8) & IFF_UP) !== 0,
  };
  const alias = at.str(IFLA.IFALIAS);
  const macLen = at.length(IFLA.ADDRESS);
  const mac = macLen === 6 ? at.from(IFLA.ADDRESS) : -1;
  const master = at.u32(IFLA.MASTER);
  const group = at.u32(IFLA.GROUP);
  if (at.has(IFLA.LINKINFO)) {
    info.of(d, at.from(IFLA.LINKINFO), at.to(IFLA.LINKINFO));
    const kind = info.str(IFLA_INFO.KIND);
    if (kind !== undefined) link.kind = kind;
    const data = kind === 'vxlan' ? info.bytes(IFLA_INFO.DATA) : undefined;
    if (data) link.vxlan = parseVxlanData(data);
  }
  if (alias) link.alias = alias;
  if (mac >= 0) link.mac = macTextAt(d, mac, 6);
  if (master !== undefined) link.master = master;
  if (group !== undefined) link.group = group;
  return link;
}

export function parseAddr(d: Buffer, base = 0, end = d.length): RawAddr | undefined {
  const af = d[base];
  if (af !== 2 && af !== 10) return undefined;
  at.of(d, base + 8, end);
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
  const type = af === 2 && at.has(IFA.LOCAL) ? IFA.LOCAL : IFA.ADDRESS;
  if (!at.has(type)) return undefined;
  return {
    index: d.readUInt32LE(base + 4),
    family: af === 2 ? 4 : 6,
    address: ipTextAt(d, at.from(type), at.length(type)),
    prefix: d[base + 1],
    protocol: at.u8(IFA.PROTO) ?? 0,
    scope: d[base + 3],
  };
}

export function parseRoute(d: Buffer, base = 0, end = d.length): RawRoute | undefined {
  const af = d[base];
  if (af !== 2 && af !== 10) return undefined;
  const flags = d.readUInt32LE(base + 8);
  if (flags & RTM_F_CLONED) return undefined;
  // The header names tables below 256 itself (RT_TABLE_COMPAT: look at RTA_TABLE): the local table's
  // routes, most of a dump, are left before their attributes are read.
  if (d[base + 4] !== RT_TABLE_MAIN && d[base + 4] !== RT_TABLE_COMPAT) return undefined;
  at.of(d, base + 12, end);
  const table = at.u32(RTA.TABLE) ?? d[base + 4];
  if (table !== RT_TABLE_MAIN) return undefined;
  const r: RawRoute = {
    family: af === 2 ? 4 : 6,
    table,
    dst: `${at.has(RTA.DST) ? ipTextAt(d, at.from(RTA.DST), at.length(RTA.DST)) : af === 2 ? '0.0.0.0' : '::'}/${d[base + 1]}`,
    protocol: d[base + 5],
    type: RTN_NAMES[d[base + 7]] ?? String(d[base + 7]),
  };
  if (at.has(RTA.GATEWAY)) r.gateway = ipTextAt(d, at.from(RTA.GATEWAY), at.length(RTA.GATEWAY));
  if (flags & RTNH_F_ONLINK) r.onlink = true;
  const oif = at.u32(RTA.OIF);
  if (oif !== undefined) r.oif = oif;
  const metric = at.u32(RTA.PRIORITY);
  if (metric !== undefined) r.metric = metric;
  return r;
}

/** Values of sysctls (paths under /proc/sys) in the namespace the thread is in; unreadable ones are left out. */
export function readSysctls(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    try {
      out[p] = readFileSync(`/proc/sys/${p}`, 'utf8').trim();
    } catch {
      // missing (e.g. a device sysctl for a link that does not exist): leave it out
    }
  }
  return out;
}

/** Every link of the socket's namespace, without their statistics. */
const dumpLinks = (s: NlSock) => s.dump(RTM.GETLINK, [ifinfomsg(), nla(IFLA.EXT_MASK, u32(RTEXT_FILTER_SKIP_STATS))]);

export async function dump(ctx: NsCtx, ns: NsRef, sysctls: string[]): Promise<NsDump | null> {
  if (!ctx.nameable(ns)) return null;
  const path = ctx.path(ns);
  return attempt(`read the state of ${nsName(ns)}`, async () => {
    let read: NsRead;
    try {
      read = await ctx.reader.read(path ?? null, ns === HOST);
    } catch (e) {
      // No such file, or a file that is no namespace (not mounted: a crash mid-create); a socket kept
      // for it would pin a namespace that is gone.
      if (e instanceof NlError && (e.errno === 'ENOENT' || e.errno === 'EINVAL')) {
        if (path !== undefined) ctx.drop(path);
        return null;
      }
      throw e;
    }
    const links: RawLink[] = [];
    const addrs: RawAddr[] = [];
    const routes: RawRoute[] = [];
    forEachMessage(read, (type, d, base, end) => {
      if (type === RTM.NEWLINK) links.push(parseLink(d, base, end));
      else if (type === RTM.NEWADDR) { const a = parseAddr(d, base, end); if (a) addrs.push(a); }
      else if (type === RTM.NEWROUTE) { const r = parseRoute(d, base, end); if (r) routes.push(r); }
    });
    // ctnet's overlay device (there is at most one per project) brings its entries along.
    const vx = new Set(links.filter((l) => l.kind === 'vxlan' && l.alias?.startsWith('ctnet')).map((l) => l.index));
    const neighs = vx.size ? await dumpNeighbours(ctx, ns, vx) : undefined;
    return {
      ns,
      ...(read.id ? { id: read.id } : {}),
      links,
      ...(neighs ? { neighs } : {}),
      addrs,
      routes,
      sysctls: sysctls.length ? ctx.enter(ns, () => readSysctls(sysctls)) : {},
    };
  });
}

export async function getLinks(ctx: NsCtx, ns: NsRef, names: string[]): Promise<RawLink[] | null> {
  if (!ctx.exists(ns)) return null;
  return attempt(`read links of ${nsName(ns)}`, async () => {
    const s = ctx.sock(ns);
    const one = async (name: string) => {
      try {
        const [m] = await s.request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str(name)), nla(IFLA.EXT_MASK, u32(RTEXT_FILTER_SKIP_STATS))]);
        return m ? parseLink(m.data) : undefined;
      } catch (e) {
        if (e instanceof NlError && e.errno === 'ENODEV') return undefined; // not there: that is the answer
        throw e;
      }
    };
    return (await Promise.all(names.map(one))).filter((l): l is RawLink => l !== undefined);
  });
}

/** Names of the links of `ns` in link group `group` (a dump of the namespace's links: what is there now). */
export async function groupMembers(ctx: NsCtx, ns: NsRef, group: number): Promise<Set<string>> {
  const links = await dumpLinks(ctx.sock(ns));
  const names = new Set<string>();
  for (const m of links) {
    const l = parseLink(m.data);
    if (l.group === group) names.add(l.name);
  }
  return names;
}
