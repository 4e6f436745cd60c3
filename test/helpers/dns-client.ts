// A DNS query client run inside a container namespace (no dig on a stock machine: node and the
// dns-packet package the product uses). UDP or TCP, IPv4 or IPv6 server, or junk bytes; prints
// {rcode, answers, tc} or {timeout: true}. Used by the names and IPv6 tests.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DNS_PACKET = resolve(import.meta.dirname, '../../node_modules/dns-packet/index.js');

const CLIENT = `import dgram from 'node:dgram'; import net from 'node:net'; import p from '${DNS_PACKET}';
const [server, name, type, proto, wait] = process.argv.slice(2);
const q = name === '--junk' ? Buffer.from([0xff, 0, 1, 2, 3]) : p.encode({ type: 'query', id: 77, flags: p.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
const done = (b) => { const r = p.decode(b); console.log(JSON.stringify({ rcode: r.rcode, answers: r.answers.map((a) => a.data), ...(r.flag_tc ? { tc: true } : {}) })); process.exit(0); };
setTimeout(() => { console.log(JSON.stringify({ timeout: true })); process.exit(0); }, Number(wait || 2000));
if (proto === 'tcp') { const c = net.connect(53, server, () => c.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q])));
  let buf = Buffer.alloc(0); c.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0))); }); }
else { const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4'); s.on('message', done); s.send(q, 53, server); }
`;

export type Answer = { rcode?: string; answers?: unknown[]; tc?: boolean; timeout?: boolean };

/** Writes the client into `dir`; returns query(ns, server, name, type, proto, waitMs). */
export function dnsClient(dir: string) {
  const script = join(dir, 'dns-client.mjs');
  writeFileSync(script, CLIENT);
  return (ns: string, server: string, name: string, type = 'A', proto: 'udp' | 'tcp' = 'udp', waitMs = 2000): Answer => {
    const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, process.execPath, script, server, name, type, proto, String(waitMs)], { encoding: 'utf8', timeout: waitMs + 10_000 });
    return JSON.parse(r.stdout);
  };
}

/** The path of dns-packet, for a test's own small upstream server. */
export const DNS_PACKET_PATH = DNS_PACKET;
