// main.js picks daemon.js or cli.js by the command word (command-word.ts): it must find the command commander
// will run, whatever global options come first; cli.js has only a stub of the daemons' commands.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package.js';
import { commandWord, VALUED_GLOBAL_OPTIONS } from './command-word.js';

const MAIN = join(packageRoot(), 'dist/bundle/main.js');
const ctnet = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, CTNET_CACHE_DIR: '' } });

describe('the command word', () => {
  it.each([
    [['apply', '-f', 'x.yaml'], 'apply'],
    [['--docker-host', 'unix:///d.sock', 'watch', '-f', 'x'], 'watch'],
    [['--docker-host=unix:///d.sock', 'dns'], 'dns'],
    [['-V'], ''],
    [['--help'], ''],
    [['--', 'plan'], 'plan'],
    [[], ''],
  ])('%j -> %j', (args, word) => expect(commandWord(args)).toBe(word));

  it('every global option of the program that takes a value is known (its value is not the command)', () => {
    const help = ctnet(['--help']).stdout;
    const valued = [...help.matchAll(/^\s+(--[a-z-]+) <[a-z]+>/gm)].map((m) => m[1]);
    expect(valued.length).toBeGreaterThan(0);
    expect([...valued].sort()).toEqual([...VALUED_GLOBAL_OPTIONS].sort());
  });

  it.each([[[]], [['--docker-host', 'unix:///nonexistent.sock']], [['--docker-host=unix:///nonexistent.sock']]])(
    'a daemon runs from daemon.js (cli.js has a stub of it) after the global options %j', (globals) => {
      // `dns` with a file that is not there: the daemon's own answer, not the stub's internal error.
      const r = ctnet([...globals, 'dns', '-f', '/nonexistent/t.yaml']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: \/nonexistent\/t\.yaml: cannot read/);
      expect(r.stderr).not.toMatch(/internal error/);
    });
});
