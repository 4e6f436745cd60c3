// The server on loopback addresses and a high port (no root): UDP and TCP,
// scoping by the receiving socket, update() without closing sockets, and
// malformed traffic that must not stop it.
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsConfig } from './config.js';
import { startDns, type DnsServer } from './server.js';

const port = 20000 + Math.floor(Math.random() * 30000);
const config = (webIp: string): DnsConfig => ({
  port, upstreams: [],
  zones: [
    { network: 'a', listen: '127.0.0.1', subnets: ['127.0.0.0/8'], records: [{ names: ['web', 'www'], ipv4: webIp }] },
    { network: 'b', listen: '127.0.0.2', subnets: ['127.0.0.0/24'], records: [{ names: ['only-b'], ipv4: '10.99.0.5' }] },
  ],
});
const resolverAt = (ip: string) => { const r = new Resolver({ timeout: 1000, tries: 1 }); r.setServers([`${ip}:${port}`]); return r; };

function tcpQuery(ip: string, msgs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, ip);
    let buf = Buffer.alloc(0);
    const out: Buffer[] = [];
    c.on('error', reject);
    c.on('connect', () => c.write(Buffer.concat(msgs)));
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === msgs.filter((m) => m.length > 20).length) { c.end(); resolve(out); }
    });
  });
}
const framed = (m: Buffer) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]);
const q = (name: string, id: number) => dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name, class: 'IN' }] });

describe('dns server on loopback', () => {
  let server: DnsServer;
  beforeAll(async () => { server = await startDns(config('10.0.0.7')); });
  afterAll(async () => server?.close());

  it('listens on each zone\'s address only, UDP answers through node\'s resolver', async () => {
    expect(server.errors).toEqual(new Map());
    expect(server.listening()).toEqual(new Map([['a', `127.0.0.1:${port}`], ['b', `127.0.0.2:${port}`]]));
    expect(await resolverAt('127.0.0.1').resolve4('www')).toEqual(['10.0.0.7']);
  });

  it('scopes answers by the socket that received the query', async () => {
    await expect(resolverAt('127.0.0.1').resolve4('only-b')).rejects.toMatchObject({ code: 'EREFUSED' });
    expect(await resolverAt('127.0.0.2').resolve4('only-b')).toEqual(['10.99.0.5']);
    await expect(resolverAt('127.0.0.2').resolve4('web')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('answers names only to clients whose address is inside the zone\'s subnet', async () => {
    await server.update({ ...config('10.0.0.7'), zones: config('10.0.0.7').zones.map((z) => (z.network === 'b' ? { ...z, subnets: ['10.99.0.0/24'] } : z)) });
    await expect(resolverAt('127.0.0.2').resolve4('only-b')).rejects.toMatchObject({ code: 'EREFUSED' });
    await server.update(config('10.0.0.7'));
    expect(await resolverAt('127.0.0.2').resolve4('only-b')).toEqual(['10.99.0.5']);
  });

  it('answers several framed queries on one TCP connection, ignoring a malformed one', async () => {
    const replies = await tcpQuery('127.0.0.1', [framed(q('web', 1)), framed(Buffer.from('garbage!')), framed(q('www', 2))]);
    expect(replies.map((r) => dnsPacket.decode(r)).map((p) => [p.id, (p.answers?.[0] as { data: string }).data])).toEqual([[1, '10.0.0.7'], [2, '10.0.0.7']]);
  });

  it('survives malformed UDP packets and still answers', async () => {
    const s = dgram.createSocket('udp4');
    for (const junk of [Buffer.alloc(0), Buffer.from([0xff]), Buffer.alloc(512, 0xff), q('web', 3).subarray(0, 15)]) {
      await new Promise<void>((r) => s.send(junk, port, '127.0.0.1', () => r()));
    }
    s.close();
    expect(await resolverAt('127.0.0.1').resolve4('web')).toEqual(['10.0.0.7']);
    expect(server.stats.dropped).toBeGreaterThanOrEqual(4);
  });

  it('update() changes the answers while the same sockets stay open', async () => {
    const c = net.connect(port, '127.0.0.1');
    await new Promise((r) => c.once('connect', r));
    await server.update(config('10.0.0.8'));
    expect(await resolverAt('127.0.0.1').resolve4('web')).toEqual(['10.0.0.8']);
    // the TCP connection opened before the update is still served, with the new answer
    const got = new Promise<Buffer>((r) => c.once('data', r));
    c.write(framed(q('web', 5)));
    const reply = dnsPacket.decode((await got).subarray(2));
    expect(reply.answers?.[0]).toMatchObject({ data: '10.0.0.8' });
    c.destroy();
    await server.update({ ...config('10.0.0.8'), zones: config('10.0.0.8').zones.slice(0, 1) });
    expect(server.listening()).toEqual(new Map([['a', `127.0.0.1:${port}`]]));
  });
});
