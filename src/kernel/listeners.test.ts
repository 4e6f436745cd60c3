// The two readings of bound sockets: socket diagnostics' messages and /proc's text (the fallback).
import { describe, expect, it } from 'vitest';
import { diagRequest, parseDiag, parseProc } from './listeners.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('bound sockets', () => {
  it('/proc: TCP listeners and UDP sockets without a peer; IPv6 addresses in RFC 5952 text (:: was ":")', () => {
    const tcp = HEAD
      + '   0: 0100007F:270F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n'
      + '   1: 0100007F:270F 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 100 0 0 10 0\n';
    expect(parseProc(tcp, 'tcp', 4)).toEqual([{ proto: 'tcp', family: 4, addr: '127.0.0.1', port: 9999, inode: '4242' }]);
    const tcp6 = HEAD
      + '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0\n'
      + '   1: 000080FE00000000FF010203040506FF:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 78 1 0 100 0 0 10 0\n';
    expect(parseProc(tcp6, 'tcp', 6).map((l) => `${l.addr} ${l.port}`)).toEqual([':: 8080', 'fe80::302:1ff:ff06:504 80']);
    const udp = HEAD
      + '  10: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0 0\n'
      + '  11: 0100007F:9C40 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 98 2 0 0\n';
    expect(parseProc(udp, 'udp', 4)).toEqual([{ proto: 'udp', family: 4, addr: '0.0.0.0', port: 5353, inode: '99' }]);
  });

  it('socket diagnostics: the request asks for one family, protocol and state; a message gives address, port, inode', () => {
    const req = diagRequest(6, 'tcp');
    expect([req.length, req[0], req[1], req.readUInt32LE(4)]).toEqual([56, 10, 6, 1 << 10]);
    expect(diagRequest(4, 'udp').readUInt32LE(4)).toBe(1 << 7);
    const msg = Buffer.alloc(72);
    msg[0] = 2;
    msg.writeUInt16BE(9999, 4);
    msg.set([10, 1, 2, 3], 8);
    msg.writeUInt32LE(123456, 68);
    expect(parseDiag(msg, 'tcp', 4)).toEqual({ proto: 'tcp', family: 4, addr: '10.1.2.3', port: 9999, inode: '123456' });
    const v6 = Buffer.alloc(72);
    v6.writeUInt16BE(53, 4);
    expect(parseDiag(v6, 'udp', 6).addr).toBe('::');
  });
});
