// Forwarding of names the zone does not know to the host's upstream resolvers,
// over UDP, one fresh socket per query (so replies cannot be confused between
// clients that picked the same id), upstreams tried in order until one answers.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { RCODE } from './answer.js';

const TIMEOUT_MS = 2000;

function ask(upstream: string, msg: Buffer, id: number, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
    const done = (r: Buffer | null) => { clearTimeout(timer); sock.close(); resolve(r); };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('message', (reply, rinfo) => {
      // Only the upstream asked, with the id asked, may answer.
      if (rinfo.address === upstream && reply.length >= 2 && reply.readUInt16BE(0) === id) done(reply);
    });
    sock.send(msg, 53, upstream, (err) => { if (err) done(null); });
  });
}

/** The upstream's reply, or a SERVFAIL for the query when none answered. */
export async function forward(msg: Buffer, id: number, upstreams: string[]): Promise<Buffer> {
  for (const u of upstreams) {
    const r = await ask(u, msg, id, Math.max(500, TIMEOUT_MS / upstreams.length));
    if (r) return r;
  }
  const q = dnsPacket.decode(msg);
  return dnsPacket.encode({ type: 'response', id, flags: ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | RCODE.SERVFAIL, questions: q.questions ?? [] });
}
