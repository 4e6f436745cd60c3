// NlSock and its helpers. The requests go to the kernel through the addon in the test's own namespace, and only
// read (a link dump, a lookup of a link that is not there): no root needed, nothing changed.
import { describe, expect, it, vi } from 'vitest';
import { consistentDump, NETLINK_ROUTE, NlError, NlSock, openNetlink, splitMessages, type NlMessage } from './nlsock.js';
import { IFLA, ifinfomsg, NLM_F, nla, RTM, str } from './nlmsg.js';
import { native } from './setns.js';

/** A netlink message as the kernel lays it out: 16-byte header, payload, padding to 4 bytes. */
function message(type: number, flags: number, seq: number, payload: Buffer): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(77, 12);
  payload.copy(b, 16);
  return b;
}

describe('splitMessages', () => {
  it('splits an answer into its messages, each payload without its padding', () => {
    const msgs = splitMessages(Buffer.concat([message(16, 2, 5, Buffer.from('abcde')), message(20, 0, 5, Buffer.from('xy'))]));
    expect(msgs.map((m) => [m.type, m.flags, m.seq, m.port, m.data.toString()])).toEqual([[16, 2, 5, 77, 'abcde'], [20, 0, 5, 77, 'xy']]);
  });

  it('stops at a message that claims more than the answer holds', () => {
    const bad = message(16, 0, 1, Buffer.alloc(8));
    bad.writeUInt32LE(200, 0);
    expect(splitMessages(Buffer.concat([message(16, 0, 1, Buffer.alloc(4)), bad]))).toHaveLength(1);
  });
});

describe('consistentDump', () => {
  const msg = (flags: number): NlMessage => ({ type: 16, flags, seq: 1, port: 0, data: Buffer.alloc(0) });
  it('asks again while the kernel flags the dump interrupted, then takes the clean one', () => {
    const answers = [[msg(NLM_F.DUMP_INTR | 2)], [msg(NLM_F.DUMP_INTR | 2)], [msg(2)]];
    let asked = 0;
    expect(consistentDump(() => answers[asked++])[0].flags).toBe(2);
    expect(asked).toBe(3);
  });

  it('gives up after five more tries and keeps the last answer', () => {
    let asked = 0;
    expect(consistentDump(() => { asked++; return [msg(NLM_F.DUMP_INTR)]; })).toHaveLength(1);
    expect(asked).toBe(6);
  });
});

describe('NlSock', () => {
  it('dumps the links of its namespace: loopback is there', async () => {
    const sock = new NlSock(() => openNetlink(NETLINK_ROUTE));
    try {
      const links = await sock.dump(RTM.GETLINK, [ifinfomsg()]);
      expect(links.length).toBeGreaterThan(0);
      expect(links.every((m) => m.type === RTM.NEWLINK)).toBe(true);
      expect(links.some((m) => m.data.readInt32LE(4) === 1)).toBe(true); // ifindex 1: lo
    } finally {
      sock.close();
    }
  });

  it('names the errno the kernel refused a request with, and keeps the socket', async () => {
    let opened = 0;
    const sock = new NlSock(() => { opened++; return openNetlink(NETLINK_ROUTE); });
    try {
      const e = await sock.request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str('ctnet-absent0'))]).catch((x) => x);
      expect(e).toBeInstanceOf(NlError);
      expect(e.errno).toBe('ENODEV');
      expect(e.message).toBe('the kernel answered ENODEV (no such device)');
      const [lo] = await sock.request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str('lo'))]);
      expect(lo.data.readInt32LE(4)).toBe(1);
      expect(opened).toBe(1);
    } finally {
      sock.close();
    }
  });

  it('closes a socket that failed and opens another for the next request', async () => {
    // A failed call, not a refusal (an overrun: recvmsg ENOBUFS), made up through the addon's own object: an fd
    // of the test's making would be one this worker thread's fs tracks and closes again when it ends.
    const addon = native();
    const failOnce = vi.spyOn(addon, 'nlRequest').mockImplementationOnce(() => {
      throw Object.assign(new Error('recvmsg'), { errno: 105, syscall: 'recvmsg', kernel: false });
    });
    const close = vi.spyOn(addon, 'nlClose'); // and closes, as before
    let opened = 0;
    const fds: number[] = [];
    const sock = new NlSock(() => { opened++; const fd = openNetlink(NETLINK_ROUTE); fds.push(fd); return fd; });
    try {
      const e = await sock.request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str('lo'))]).catch((x) => x);
      expect(e).toMatchObject({ errno: 'ENOBUFS', message: 'recvmsg: ENOBUFS' });
      const [lo] = await sock.request(RTM.GETLINK, [ifinfomsg(), nla(IFLA.IFNAME, str('lo'))]);
      expect(lo.data.readInt32LE(4)).toBe(1);
      expect(opened).toBe(2);
      expect(close.mock.calls).toEqual([[fds[0]]]); // the failed one, once
    } finally {
      failOnce.mockRestore();
      close.mockRestore();
      sock.close();
    }
  });
});
