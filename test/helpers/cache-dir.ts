// Vitest's global setup: every ctnet the tests run keeps its cache of compiled code (src/cli/code-cache.ts)
// in a directory of this run, removed at the end, not in the machine's /var/cache/ctnet. A directory given
// in CTNET_CACHE_DIR (empty: no cache) is kept as given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): (() => void) | undefined {
  if (process.env.CTNET_CACHE_DIR !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ctnet-test-cache-'));
  process.env.CTNET_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
