// RELIABILITY-DEFECTS D4, D5, D6, D14: hostile files end in located or file-level errors, in bounded
// time, never an internal error or a hang.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTexts, loadTopology } from '../../src/spec/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ctnet-hostile-'));
const made = [dir];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

describe('hostile input files', () => {
  it('a FIFO named like a topology is refused at once, given directly or inside a -f directory (D6)', async () => {
    const fifoDir = mkdtempSync(join(tmpdir(), 'ctnet-fifo-'));
    made.push(fifoDir);
    execFileSync('mkfifo', [join(fifoDir, 't.yaml')]);
    for (const arg of [join(fifoDir, 't.yaml'), fifoDir]) {
      const r = await loadTopology([arg]);
      expect(r.topology).toBeUndefined();
      expect(r.diagnostics.map((d) => d.message)).toEqual(['is not a regular file']);
    }
  }, 5000);

  it('bytes that are not UTF-8 are a file-level error, not silently replaced (D14)', async () => {
    const f = join(dir, 'latin1.yaml');
    writeFileSync(f, Buffer.concat([Buffer.from('version: 1\ncontainers:\n  x1: { netns: "rel-x'), Buffer.from([0xe9]), Buffer.from('1", create: true }\n')]));
    const r = await loadTopology([f]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'error', file: f, message: 'is not valid UTF-8' })]);
  });

  it('150 000 networks with one subnet: located errors in bounded time, no stack overflow (D5)', () => {
    const n = 150_000;
    const text = `version: 1\nnetworks:\n${Array.from({ length: n }, (_, i) => `  n${i}: { subnet: 10.1.0.0/24 }`).join('\n')}\n`;
    const t0 = performance.now();
    const r = checkTexts([{ file: 'big.yaml', text }]);
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(r.topology).toBeUndefined();
    const overlaps = r.diagnostics.filter((d) => /overlaps/.test(d.message));
    expect(overlaps.length).toBe(n - 1);
    expect(overlaps[0]).toMatchObject({ file: 'big.yaml', line: 4 });
  }, 90_000);

  it('nested aliases that would expand to billions of values are refused, located (D4)', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const r = checkTexts([{ file: 'bomb.yaml', text: `version: 1\n${levels.join('\n')}\n` }]);
    expect(r.topology).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', file: 'bomb.yaml', line: 1, message: expect.stringMatching(/expands to more than/) });
  }, 10_000);

  it('a valid file reusing one anchor 1001 times, with a warning that needs positions, is no internal error (D4)', () => {
    const text = `version: 1\nnetworks:\n  n: { subnet: 10.1.0.5/16 }\ncontainers:\n  c: { netns: c, networks: &att { n: {} } }\n${Array.from({ length: 1001 }, (_, i) => `  c${i}: { netns: c${i}, networks: *att }`).join('\n')}\n`;
    const r = checkTexts([{ file: 'anchors.yaml', text }]);
    expect(r.diagnostics.map((d) => d.severity)).not.toContain('error');
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', line: 3, message: expect.stringMatching(/host bits/) })]);
  }, 30_000);
});
