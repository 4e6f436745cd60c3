// Colour only on a terminal without NO_COLOR; lines coloured by their shape; a large plan's summary by kind.
import { describe, expect, it } from 'vitest';
import { colourFor, colourLine } from './colour.js';
import { renderText } from '../plan/render.js';
import type { Plan, Step } from '../model/ops.js';

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(colourFor(tty, {})).toBe(true);
    expect(colourFor(pipe, {})).toBe(false);
    expect(colourFor(tty, { NO_COLOR: '' })).toBe(false);
    expect(colourFor(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('plan rows by glyph, errors, warnings and hints', () => {
    expect(colourLine('  + bridge/web  missing')).toBe('  \x1b[32m+ bridge/web  missing\x1b[0m');
    expect(colourLine('-/+ veth/a/web  immutable-changed')).toBe('\x1b[31m-/+ veth/a/web  immutable-changed\x1b[0m');
    expect(colourLine('  ~ nft/inet/ctnet  drifted')).toBe('  \x1b[33m~ nft/inet/ctnet  drifted\x1b[0m');
    expect(colourLine('error: conflict: x')).toBe('\x1b[31merror:\x1b[0m conflict: x');
    expect(colourLine('  hint: do y')).toBe('\x1b[2m  hint: do y\x1b[0m');
    expect(colourLine('      + publish 8080/tcp')).toBe('      + publish 8080/tcp'); // a detail line stays plain
  });

  it('a plan of more than 20 rows says how many of each kind', () => {
    const steps: Step[] = Array.from({ length: 30 }, (_, i) => ({
      key: i < 25 ? `veth/c${i}/n` : `addr/c${i}/eth0/10.0.0.${i}/24`, action: 'create', reason: 'missing', phase: 8,
      op: { op: 'netns.create', obj: { kind: 'netns', key: `k${i}`, name: `n${i}`, path: `/run/netns/n${i}` } },
    }));
    const text = renderText({ formatVersion: 1, steps, conflicts: [] } as Plan);
    expect(text).toContain('Plan: 30 to create, 0 to update, 0 to delete.\nBy kind: addr 5 (+5), veth 25 (+25).');
    expect(renderText({ formatVersion: 1, steps: steps.slice(0, 3), conflicts: [] } as Plan)).not.toContain('By kind');
  });
});
