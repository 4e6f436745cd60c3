// Phases of the operations whose place is not "outside in" (plan/order.ts).
import { describe, expect, it } from 'vitest';
import type { NftTableObj } from '../../src/model/state.js';
import { PHASES, phaseOf } from '../../src/plan/order.js';

const table = { kind: 'nft', key: 'nft/inet/ctnet', ns: 'host', family: 'inet', name: 'ctnet' } as unknown as NftTableObj;

describe('phaseOf', () => {
  it('writes ctnet\'s table with the veths: it names interfaces, so it waits for none, and its process runs beside them', () => {
    expect(phaseOf({ op: 'nft.apply', ns: 'host', obj: table })).toBe(PHASES.veth);
    expect(phaseOf({ op: 'nft.apply', ns: 'host', obj: table, before: table })).toBe(PHASES.veth);
  });

  it('deletes the whole table with the links: independent of them, its process runs while the kernel deletes them', () => {
    expect(phaseOf({ op: 'nft.apply', ns: 'host', before: table })).toBe(PHASES.linkDelete);
  });
});
