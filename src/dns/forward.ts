// Forwarding of names the zone does not know to the host's upstream resolvers, upstreams tried in order
// until one answers, within a bounded time (then SERVFAIL, never silence). Over UDP with one fresh socket
// per query (so replies cannot be confused between clients that picked the same id), and over TCP when the
// client asked over TCP or the UDP answer came back truncated (TC): a large answer is not lost.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { RCODE } from './answer.js';

const TIMEOUT_MS = 2000;
const TC = 0x0200; // the truncation bit of the header's flags

function askUdp(upstream: string, msg: Buffer, id: number, timeoutMs: number, port: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
    const done = (r: Buffer | null) => { clearTimeout(timer); sock.close(); resolve(r); };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('message', (reply, rinfo) => {
      // Only the upstream asked, with the id asked, may answer.
      if (rinfo.address === upstream && reply.length >= 2 && reply.readUInt16BE(0) === id) done(reply);
    });
    sock.send(msg, port, upstream, (err) => { if (err) done(null); });
  });
}

/** One query over TCP (RFC 7766: a 2-byte length before each message). */
function askTcp(upstream: string, msg: Buffer, id: number, timeoutMs: number, port: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const conn = net.connect({ host: upstream, port });
    const done = (r: Buffer | null) => { clearTimeout(timer); conn.destroy(); resolve(r); };
    const timer = setTimeout(() => done(null), timeoutMs);
    conn.on('error', () => done(null));
    conn.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      conn.write(Buffer.concat([len, msg]));
    });
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const reply = buf.subarray(2, 2 + buf.readUInt16BE(0));
        done(reply.length >= 2 && reply.readUInt16BE(0) === id ? Buffer.from(reply) : null);
      }
    });
    conn.on('end', () => done(null));
  });
}

const truncated = (r: Buffer) => r.length >= 4 && (r.readUInt16BE(2) & TC) !== 0;

/** The upstream's reply, or a SERVFAIL for the query when none answered in time. `tcp`: the client asked
 *  over TCP (it can take a large answer). `port`: the upstreams' port (53; tests use another). */
export async function forward(msg: Buffer, id: number, upstreams: string[], opts: { tcp?: boolean; port?: number } = {}): Promise<Buffer> {
  const port = opts.port ?? 53;
  const each = Math.max(500, TIMEOUT_MS / Math.max(1, upstreams.length));
  for (const u of upstreams) {
    if (opts.tcp) {
      const r = await askTcp(u, msg, id, each, port);
      if (r) return r;
      continue;
    }
    const r = await askUdp(u, msg, id, each, port);
    if (!r) continue;
    if (!truncated(r)) return r;
    // The answer did not fit a datagram: ask the same upstream over TCP; if that fails, the client gets the
    // truncated answer and may retry over TCP itself.
    return (await askTcp(u, msg, id, each, port)) ?? r;
  }
  const q = dnsPacket.decode(msg);
  return dnsPacket.encode({ type: 'response', id, flags: ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | RCODE.SERVFAIL, questions: q.questions ?? [] });
}
