// The embedded DNS server: for each zone, a UDP socket and a TCP listener on the
// network's gateway address (never the wildcard), answering from that zone only:
// scoping is by the socket that received the query, so a container on network A
// asking A's gateway learns nothing about network B. update() swaps the zones in
// place, keeping the sockets of unchanged addresses open (no query is dropped
// while names change). Sockets are created in the process's current network
// namespace: call startDns() from a process that runs in the host namespace
// ctnet manages (as `ctnet watch` and `ctnet dns` do, e.g. under nsenter --net).
import dgram from 'node:dgram';
import net from 'node:net';
import { compileZone, type CompiledZone } from './answer.js';
import type { DnsConfig } from './config.js';
import { forward } from './forward.js';
import { decideMemo, fromZoneMemo } from './memo.js';

const TCP_IDLE_MS = 10_000;
const keyOf = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
const MAX_TCP_BUFFER = 2 + 65535;

interface Listener { key: string; zone: CompiledZone; udp: dgram.Socket; tcp: net.Server }

export interface DnsServer {
  /** Change what is answered (and where, for added or removed networks) without closing kept sockets. */
  update(config: DnsConfig): Promise<void>;
  close(): Promise<void>;
  /** Networks whose address could not be bound at the last start/update (retried at the next update). */
  readonly errors: Map<string, Error>;
  /** Where it listens now per network: "address:port", IPv6 as "[address]:port", two joined by ", ". */
  listening(): Map<string, string>;
  readonly stats: { queries: number; answered: number; forwarded: number; dropped: number };
}

export async function startDns(config: DnsConfig, opts: { log?: (msg: string) => void } = {}): Promise<DnsServer> {
  const log = opts.log ?? (() => {});
  const listeners = new Map<string, Listener>(); // by "address:port"
  const errors = new Map<string, Error>();
  const stats = { queries: 0, answered: 0, forwarded: 0, dropped: 0 };
  let upstreams = config.upstreams;
  let upstreamPort = config.upstreamPort;

  async function handle(l: Listener, msg: Buffer, from: string, tcp = false): Promise<Buffer | null> {
    stats.queries++;
    // Scoped twice: by the socket (one per network) and by the client's own address.
    // Memoised: repeated questions are answered from a copy (memo.ts), the costliest part otherwise.
    const d = decideMemo(msg, l.zone, upstreams.length > 0, fromZoneMemo(l.zone, from) || from === l.zone.zone.listen);
    if (d.kind === 'drop') { stats.dropped++; return null; }
    if (d.kind === 'answer') { stats.answered++; return d.response; }
    stats.forwarded++;
    return forward(msg, d.id, upstreams, { tcp, ...(upstreamPort ? { port: upstreamPort } : {}) });
  }

  function serveTcp(l: Listener, conn: net.Socket): void {
    let buf = Buffer.alloc(0);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_TCP_BUFFER * 4) { conn.destroy(); return; }
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        handle(l, Buffer.from(msg), conn.remoteAddress ?? '', true).then((r) => {
          if (!r || conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(r.length);
          conn.write(Buffer.concat([len, r]));
        }, () => {});
      }
    });
  }

  async function open(zone: CompiledZone, port: number): Promise<Listener> {
    const key = keyOf(zone.zone.listen, port);
    const udp = dgram.createSocket({ type: zone.zone.listen.includes(':') ? 'udp6' : 'udp4' });
    const tcp = net.createServer();
    const l: Listener = { key, zone, udp, tcp };
    udp.on('message', (msg, rinfo) => {
      handle(l, msg, rinfo.address).then((r) => {
        if (!r) return;
        try { udp.send(r, rinfo.port, rinfo.address); } catch { /* closed by update() meanwhile */ }
      }, () => {});
    });
    tcp.on('connection', (c) => serveTcp(l, c));
    try {
      await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(port, zone.zone.listen, () => { udp.off('error', rej); res(); }); });
      await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(port, zone.zone.listen, () => { tcp.off('error', rej); res(); }); });
    } catch (e) {
      try { udp.close(); } catch { /* never bound */ }
      tcp.close();
      throw e;
    }
    udp.on('error', (e) => log(`dns: udp ${key}: ${e.message}`));
    tcp.on('error', (e) => log(`dns: tcp ${key}: ${e.message}`));
    return l;
  }

  async function shut(l: Listener): Promise<void> {
    await Promise.all([new Promise<void>((r) => l.udp.close(() => r())), new Promise<void>((r) => l.tcp.close(() => r()))]);
  }

  async function update(cfg: DnsConfig): Promise<void> {
    upstreams = cfg.upstreams;
    upstreamPort = cfg.upstreamPort;
    const wanted = new Map(cfg.zones.map((z) => [keyOf(z.listen, cfg.port), compileZone(z)]));
    for (const [key, l] of listeners) {
      if (!wanted.has(key)) { listeners.delete(key); await shut(l); }
    }
    errors.clear();
    for (const [key, zone] of wanted) {
      const l = listeners.get(key);
      if (l) { l.zone = zone; continue; } // answers change, sockets stay
      try {
        listeners.set(key, await open(zone, cfg.port));
      } catch (e) {
        errors.set(zone.zone.network, e as Error);
        log(`dns: cannot listen on ${key} for network "${zone.zone.network}": ${(e as Error).message}`);
      }
    }
  }

  await update(config);
  return {
    update,
    errors,
    stats,
    listening: () => {
      const by = new Map<string, string>();
      for (const l of listeners.values()) { const net = l.zone.zone.network; by.set(net, by.has(net) ? `${by.get(net)}, ${l.key}` : l.key); }
      return by;
    },
    close: async () => {
      const all = [...listeners.values()];
      listeners.clear();
      await Promise.all(all.map(shut));
    },
  };
}
