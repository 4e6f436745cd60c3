// NlSock's guard rails without a kernel: a fake socket stands in for netlink's.
import { EventEmitter } from 'node:events';
import type { NetlinkSocket } from 'netlink';
import { describe, expect, it } from 'vitest';
import { NlError, NlSock } from './nlsock.js';

class FakeSocket extends EventEmitter {
  closed = false;
  inFlight = 0;
  maxInFlight = 0;
  pending: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  request(): Promise<unknown> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => this.pending.push({
      resolve: (v) => { this.inFlight--; resolve(v); },
      reject: (e) => { this.inFlight--; reject(e); },
    }));
  }
  close() { this.closed = true; }
  address() { return { port: 4242, groups: 0 }; }
}

function make() {
  const opened: FakeSocket[] = [];
  const sock = new NlSock(() => { const s = new FakeSocket(); opened.push(s); return s as unknown as NetlinkSocket; });
  return { sock, opened };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('NlSock', () => {
  it('parses "Request rejected: EEXIST" into an errno name', async () => {
    const { sock, opened } = make();
    const p = sock.request(16, []);
    await tick();
    opened[0].pending[0].reject(new Error('Request rejected: EEXIST'));
    const e = await p.catch((x) => x);
    expect(e).toBeInstanceOf(NlError);
    expect(e.errno).toBe('EEXIST');
    expect(e.message).toBe('the kernel answered EEXIST (file already exists)');
  });

  it('keeps at most 32 requests in flight', async () => {
    const { sock, opened } = make();
    const all = Array.from({ length: 40 }, () => sock.request(16, []));
    await tick();
    expect(opened[0].pending).toHaveLength(32);
    for (let i = 0; i < 40; i++) { opened[0].pending[i].resolve([[], {}]); await tick(); }
    await Promise.all(all);
    expect(opened[0].maxInFlight).toBe(32);
  });

  it('fails pending requests when the socket breaks and reopens on next use', async () => {
    const { sock, opened } = make();
    const p = sock.request(18, []);
    await tick();
    opened[0].emit('error', Object.assign(new Error('poll'), { code: 'EBADF', syscall: 'poll' }));
    await expect(p).rejects.toMatchObject({ errno: 'ENOBUFS' });
    expect(opened[0].closed).toBe(true);
    const q = sock.request(18, []);
    await tick();
    expect(opened).toHaveLength(2);
    opened[1].pending[0].resolve([[{ type: 16, flags: 0, seq: 1, port: 0, data: Buffer.alloc(0) }], {}]);
    expect(await q).toHaveLength(1);
  });

  it('retries a dump the kernel marked interrupted (NLM_F_DUMP_INTR)', async () => {
    const { sock, opened } = make();
    const p = sock.dump(18, []);
    await tick();
    opened[0].pending[0].resolve([[{ type: 16, flags: 0x12, seq: 1, port: 0, data: Buffer.alloc(0) }], {}]);
    await tick();
    opened[0].pending[1].resolve([[{ type: 16, flags: 0x2, seq: 2, port: 0, data: Buffer.alloc(0) }], {}]);
    const msgs = await p;
    expect(msgs[0].flags).toBe(0x2);
  });
});
