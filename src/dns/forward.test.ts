// Forwarding to an upstream (issue 17): a UDP answer that comes back truncated is asked again over TCP, so
// a large answer is not lost; a client that asked over TCP is forwarded over TCP; an upstream that does not
// answer gives SERVFAIL within a bounded time, never silence. A small upstream on loopback (no root).
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from './forward.js';

const port = 20000 + Math.floor(Math.random() * 30000);
const UP = '127.0.0.3';
const asked = { udp: 0, tcp: 0 };
const big = (id: number, name: string) => dnsPacket.encode({
  type: 'response', id, flags: dnsPacket.RECURSION_AVAILABLE, questions: [{ type: 'A', name, class: 'IN' }],
  answers: Array.from({ length: 100 }, (_, i) => ({ type: 'A', name, ttl: 60, class: 'IN', data: `10.1.${i >> 8}.${i & 255}` })),
});
let udp: dgram.Socket;
let tcp: net.Server;

beforeAll(async () => {
  udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => {
    asked.udp++;
    const q = dnsPacket.decode(m);
    // Too large for 512 bytes: the truncated answer (TC set, no records), as a real upstream sends it.
    udp.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.TRUNCATED_RESPONSE, questions: q.questions }), r.port, r.address);
  });
  await new Promise<void>((res) => udp.bind(port, UP, () => res()));
  tcp = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      asked.tcp++;
      const q = dnsPacket.decode(buf.subarray(2));
      const a = big(q.id!, q.questions![0].name);
      c.end(Buffer.concat([Buffer.from([a.length >> 8, a.length & 255]), a]));
    });
  });
  await new Promise<void>((res) => tcp.listen(port, UP, () => res()));
});
afterAll(() => { udp.close(); tcp.close(); });

const query = (id: number) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'big.example', class: 'IN' }] });

describe('forward', () => {
  it('a truncated UDP answer is asked again over TCP: all 100 records arrive', async () => {
    const before = { ...asked };
    const r = dnsPacket.decode(await forward(query(7), 7, [UP], { port }));
    expect(r.id).toBe(7);
    expect(r.answers).toHaveLength(100);
    expect([asked.udp - before.udp, asked.tcp - before.tcp]).toEqual([1, 1]);
  });

  it('a client that asked over TCP is forwarded over TCP', async () => {
    const before = { ...asked };
    const r = dnsPacket.decode(await forward(query(8), 8, [UP], { port, tcp: true }));
    expect(r.answers).toHaveLength(100);
    expect([asked.udp - before.udp, asked.tcp - before.tcp]).toEqual([0, 1]);
  });

  it('an upstream that does not answer: SERVFAIL within a bounded time', async () => {
    const t0 = Date.now();
    const r = dnsPacket.decode(await forward(query(9), 9, ['127.0.0.4'], { port: port + 1 }));
    expect(r.rcode).toBe('SERVFAIL');
    expect(Date.now() - t0).toBeLessThan(2_500);
  });
});
