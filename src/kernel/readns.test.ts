// NetnsReader without a kernel: what goes to the addon together, and how its answer is taken apart.
import { describe, expect, it } from 'vitest';
import type { NetnsRead } from './setns.js';
import { forEachMessage } from './nlmsg.js';
import { NetnsReader, readEarly, type NsRead } from './readns.js';

/** The messages of a read as [type, payload bytes]. */
const messagesOf = (r: Pick<NsRead, 'data' | 'start' | 'end'>) => {
  const out: [number, number[]][] = [];
  forEachMessage(r, (type, d, base, end) => out.push([type, [...d.subarray(base, end)]]));
  return out;
};
import { NlError } from './nlsock.js';

/** A netlink message: 16-byte header (length, type, flags, seq, port), payload, padded to 4. */
function msg(type: number, payload: number[]): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  Buffer.from(payload).copy(b, 16);
  return b;
}

/** A fake addon: each path answers with one message whose payload is the path's number, or an errno. */
function fakeAddon(errors: Record<string, number> = {}) {
  const calls: (string | null)[][] = [];
  const read = async (paths: (string | null)[]) => {
    calls.push(paths);
    const parts: Buffer[] = [];
    let at = 0;
    const results: NetnsRead[] = paths.map((p, i) => {
      if (p && errors[p]) return { errno: errors[p], syscall: 'open' };
      const m = msg(16, [i, 7]);
      parts.push(m);
      at += m.length;
      return { start: at - m.length, end: at, dev: 4, ino: 1000 + i };
    });
    return { data: Buffer.concat(parts), results };
  };
  return { calls, read };
}

describe('forEachMessage', () => {
  it('walks padded messages and stops at a truncated one', () => {
    const data = Buffer.concat([msg(16, [1, 2, 3]), msg(20, [9]), Buffer.from([200, 0, 0, 0, 24, 0])]);
    expect(messagesOf({ data, start: 0, end: data.length })).toEqual([[16, [1, 2, 3]], [20, [9]]]);
    expect(messagesOf({ data, start: 20, end: 20 })).toEqual([]);
    // A stretch of a shared buffer: only the messages inside it.
    expect(messagesOf({ data, start: 20, end: 40 })).toEqual([[20, [9]]]);
  });
});

describe('NetnsReader', () => {
  it('sends the reads of one turn together and gives each its own messages and file identity', async () => {
    const addon = fakeAddon();
    const reader = new NetnsReader(addon.read);
    const got = await Promise.all([reader.read('/a'), reader.read(null, true), reader.read('/b')]);
    expect(addon.calls).toEqual([['/a', null, '/b']]);
    expect(got.map((r) => messagesOf(r)[0][1])).toEqual([[0, 7], [1, 7], [2, 7]]);
    expect(got[0].id).toBe('4:1000');
    await reader.read('/c');
    expect(addon.calls).toHaveLength(2);
  });

  it('splits a large batch: the big read alone, the rest in two halves', async () => {
    const addon = fakeAddon();
    const reader = new NetnsReader(addon.read);
    const paths = Array.from({ length: 100 }, (_, i) => `/ns${i}`);
    const got = await Promise.all([...paths.map((p) => reader.read(p)), reader.read('/host', true)]);
    expect(addon.calls.map((c) => c.length)).toEqual([1, 50, 50]);
    expect(addon.calls[0]).toEqual(['/host']);
    expect(addon.calls[1].concat(addon.calls[2])).toEqual(paths);
    expect(got).toHaveLength(101);
  });

  it('rejects a failed namespace with its errno name, and only that one', async () => {
    const reader = new NetnsReader(fakeAddon({ '/gone': 2 }).read);
    const [gone, there] = await Promise.allSettled([reader.read('/gone'), reader.read('/there')]);
    expect(gone.status).toBe('rejected');
    const e = (gone as PromiseRejectedResult).reason;
    expect(e).toBeInstanceOf(NlError);
    expect(e.errno).toBe('ENOENT');
    expect(there.status).toBe('fulfilled');
  });

  it('rejects every read of a job the addon refused', async () => {
    const reader = new NetnsReader(async () => { throw new Error('boom'); });
    await expect(Promise.all([reader.read('/a'), reader.read('/b')])).rejects.toThrow('boom');
  });
});

describe('readEarly', () => {
  it('the first observation takes the early reads instead of reading again; the rest are dropped after its turn', async () => {
    const early = fakeAddon({ '/gone': 2 });
    readEarly([null, '/a', '/b', '/gone', '/unasked'], early.read);
    // Sent at once, not at the end of the turn: the caller's next work (parsing the topology) fills the turn.
    expect(early.calls.flat()).toHaveLength(5);
    const later = fakeAddon();
    const reader = new NetnsReader(later.read);
    // One turn, as an observation asks: two early reads taken, one read that was not started early.
    const [a, host, c] = await Promise.all([reader.read('/a'), reader.read(null, true), reader.read('/c')]);
    expect(messagesOf(a)[0][1]).toEqual([1, 7]); // the early job's second path
    expect(messagesOf(host)[0][1]).toEqual([0, 7]);
    expect(messagesOf(c)[0][1]).toEqual([0, 7]);
    expect(later.calls).toEqual([['/c']]);
    // A later observation reads afresh, early or not: '/b' and '/unasked' were started but are not fresh now.
    await Promise.all([reader.read('/b'), reader.read('/unasked')]);
    expect(later.calls).toEqual([['/c'], ['/b', '/unasked']]);
    // '/gone' failed early and was never asked for: no unhandled rejection (vitest would fail the run).
    expect(early.calls.flat().sort()).toEqual(['/a', '/b', '/gone', '/unasked', null].sort());
  });

  it('an early read that failed fails the observation that takes it, as its own read would', async () => {
    readEarly(['/gone'], fakeAddon({ '/gone': 2 }).read);
    const reader = new NetnsReader(fakeAddon().read);
    await expect(reader.read('/gone')).rejects.toMatchObject({ errno: 'ENOENT' });
  });
});
