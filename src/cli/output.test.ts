// The console is written with write(2) (output.ts): a reader that goes away early (`ctnet ... | head`) ends
// the output quietly, for the commands' own lines and for commander's help alike, never with a stack trace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package.js';

const MAIN = join(packageRoot(), 'dist/bundle/main.js');
const example = join(packageRoot(), 'examples/quickstart.yaml');

/** `ctnet ARGS | :` (the reader exits at once, long before node has started): ctnet's status and stderr. */
function intoClosedPipe(args: string[]): { status: number; stderr: string } {
  const r = spawnSync('/bin/bash', ['-c', '"$@" 2>"$ERR" | :; echo "${PIPESTATUS[0]}"; cat "$ERR"', 'sh', process.execPath, MAIN, ...args], {
    encoding: 'utf8', env: { ...process.env, ERR: join(packageRoot(), `.output-test-${process.pid}.err`), CTNET_CACHE_DIR: '' },
  });
  spawnSync('rm', ['-f', join(packageRoot(), `.output-test-${process.pid}.err`)]);
  const [status, ...rest] = r.stdout.split('\n');
  return { status: Number(status), stderr: rest.join('\n') + r.stderr };
}

describe('console output', () => {
  it.each([['--help'], ['plan', '--help'], ['validate', '-f', example], ['completion', 'bash']].map((a) => [a.join(' '), a]))(
    'ctnet %s into a closed pipe: exit 0, nothing on stderr', (_, args) => {
      expect(intoClosedPipe(args as string[])).toEqual({ status: 0, stderr: '' });
    });

  it('writes the whole text to a pipe that is read', () => {
    const ok = spawnSync(process.execPath, [MAIN, 'completion', 'bash'], { encoding: 'utf8', env: { ...process.env, CTNET_CACHE_DIR: '' } });
    expect(ok.stdout.split('\n').length).toBeGreaterThan(20);
    expect(ok.stdout.endsWith('\n')).toBe(true);
  });
});
