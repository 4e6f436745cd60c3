// The route parser on hand-made messages: which tables it keeps, and what it reads of a route.
import { describe, expect, it } from 'vitest';
import { parseRoute } from './dump.js';
import { nla, RTA, u32 } from './nlmsg.js';

/** struct rtmsg + attributes: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
function route(table: number, attrs: Buffer[], family = 2, dstLen = 24): Buffer {
  const h = Buffer.from([family, dstLen, 0, 0, table, 4, 0, 1, 0, 0, 0, 0]);
  return Buffer.concat([h, ...attrs]);
}

describe('parseRoute', () => {
  it('reads a main-table route', () => {
    const m = route(254, [nla(RTA.TABLE, u32(254)), nla(RTA.DST, Buffer.from([10, 1, 2, 0])), nla(RTA.GATEWAY, Buffer.from([10, 0, 0, 1])), nla(RTA.OIF, u32(7)), nla(RTA.PRIORITY, u32(100))]);
    expect(parseRoute(m)).toEqual({ family: 4, table: 254, dst: '10.1.2.0/24', protocol: 4, type: 'UNICAST', gateway: '10.0.0.1', oif: 7, metric: 100 });
  });

  it('leaves other tables: by the header below 256, by RTA_TABLE above', () => {
    expect(parseRoute(route(255, [nla(RTA.TABLE, u32(255)), nla(RTA.DST, Buffer.from([10, 1, 2, 3]))], 2, 32))).toBeUndefined();
    expect(parseRoute(route(252, [nla(RTA.TABLE, u32(1000)), nla(RTA.DST, Buffer.from([10, 1, 2, 0]))]))).toBeUndefined();
  });

  it('reads a message where it lies in a larger buffer (a namespace read: one buffer, many messages)', () => {
    const m = route(254, [nla(RTA.TABLE, u32(254)), nla(RTA.DST, Buffer.from([10, 1, 2, 0])), nla(RTA.GATEWAY, Buffer.from([10, 0, 0, 1])), nla(RTA.OIF, u32(7))]);
    // Bytes before it, and after it an attribute that must not be read as the message's.
    const around = Buffer.concat([Buffer.from([2, 24, 0, 0, 255, 4, 0, 1, 0, 0, 0, 0, 9, 9, 9, 9]), m, nla(RTA.PRIORITY, u32(5))]);
    expect(parseRoute(around, 16, 16 + m.length)).toEqual(parseRoute(m));
    expect(parseRoute(around, 16, 16 + m.length)?.metric).toBeUndefined();
  });

  it('reads a main-table route whose header says RT_TABLE_COMPAT, and the default route without RTA_DST', () => {
    expect(parseRoute(route(252, [nla(RTA.TABLE, u32(254))], 2, 0))).toMatchObject({ table: 254, dst: '0.0.0.0/0' });
  });
});
