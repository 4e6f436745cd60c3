// The daemon's look at its files: an invalid edit keeps the last valid topology, and a look the periodic
// resync takes (settle) does not judge files that changed since the last look: a writer may be between its
// truncate and its write. Found in test/netns/watch.test.ts (two runs in 55): a resync read the file
// empty while the test wrote it, and reported "missing version" instead of the edit's real error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TopologySource } from './topology-source.js';

const VALID = 'version: 1\nnetworks:\n  front: { subnet: 10.70.0.0/24 }\ncontainers:\n  a: { netns: ts1, create: true, networks: [front] }\n';
const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

function source() {
  const dir = mkdtempSync(join(tmpdir(), 'ctnet-source-'));
  made.push(dir);
  const file = join(dir, 't.yaml');
  writeFileSync(file, VALID);
  return { file, s: new TopologySource([file]) };
}

describe('TopologySource', () => {
  it('a resync\'s look at a file caught mid-write (empty) judges nothing; the next look, once quiet, does', async () => {
    const { file, s } = source();
    expect((await s.reload()).changed).toBe(true);
    writeFileSync(file, ''); // a writer's truncate, before its write
    const early = await s.reload(true);
    expect(early).toEqual({ changed: false, dropped: [], unsettled: true });
    expect(s.filesValid).toBe(true); // still holding the valid topology, nothing reported
    writeFileSync(file, VALID.replace('10.70.0.0/24', '10.71.0.0/24')); // the write
    expect((await s.reload(true)).unsettled).toBe(true); // changed again since the last look
    const quiet = await s.reload(true); // unchanged since: judged
    expect(quiet.unsettled).toBeUndefined();
    expect(quiet.changed).toBe(true);
    expect(s.topology?.networks.get('front')?.subnet).toBe('10.71.0.0/24');
  });

  it('a look a file event or SIGHUP asks for judges the files as they are, and an invalid edit keeps the last valid topology', async () => {
    const { file, s } = source();
    await s.reload();
    writeFileSync(file, '');
    const r = await s.reload();
    expect(r.unsettled).toBeUndefined();
    expect(r.diagnostics?.[0]).toMatchObject({ path: 'version' });
    expect(s.filesValid).toBe(false);
    expect(s.topology?.networks.get('front')?.subnet).toBe('10.70.0.0/24');
    // The same invalid files at the resync: settled (unchanged since the last look), judged, not said again.
    const again = await s.reload(true);
    expect(again).toEqual({ changed: false, dropped: [], diagnostics: undefined });
  });
});
