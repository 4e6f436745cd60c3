// Shell completion: the bash script loads without error and completes commands, flags and values as
// bash itself would call it (COMP_WORDS/COMP_CWORD). zsh and fish scripts are checked for syntax where
// those shells are installed (Debian's CI image has neither; their generation is checked below).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package.js';

const MAIN = join(packageRoot(), 'dist/bundle/main.js');
const script = (shell: string) => {
  const r = spawnSync(process.execPath, [MAIN, 'completion', shell], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** What bash offers for the words typed so far (the last one is being completed). */
function complete(words: string[]): string[] {
  const prog = `${script('bash')}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ctnet; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('/bin/bash', ['-c', prog], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('bash: loads without error and registers ctnet', () => {
    const r = spawnSync('bash', ['-c', `${script('bash')}\ncomplete -p ctnet`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('complete -F _ctnet ctnet');
  });

  it('bash: commands, flags of a command, and option values', () => {
    expect(complete(['ctnet', 'gr'])).toEqual(['graph']);
    expect(complete(['ctnet', ''])).toEqual(expect.arrayContaining(['validate', 'plan', 'apply', 'show', 'graph', 'ls', 'destroy', 'watch', 'completion']));
    expect(complete(['ctnet', 'destroy', '--a'])).toEqual(['--all']);
    expect(complete(['ctnet', 'graph', '--format', 'm'])).toEqual(['mermaid']);
    expect(complete(['ctnet', 'show', '-o', ''])).toEqual(['yaml', 'json', 'table']);
    expect(complete(['ctnet', 'completion', 'z'])).toEqual(['zsh']);
    // Projects come from `ctnet __projects`: not found here (PATH emptied), so nothing, and no error.
    expect(complete(['ctnet', 'destroy', '-p', ''])).toEqual([]);
  });

  it('zsh and fish: generated for every command (syntax-checked where the shell exists)', () => {
    for (const shell of ['zsh', 'fish']) {
      const text = script(shell);
      for (const cmd of ['validate', 'plan', 'apply', 'show', 'graph', 'ls', 'destroy', 'watch']) expect(text, shell).toContain(cmd);
      if (has(shell)) expect(spawnSync(shell, ['-n', '-c', text], { encoding: 'utf8' }).status, shell).toBe(0);
    }
    expect(spawnSync(process.execPath, [MAIN, 'completion', 'tcsh'], { encoding: 'utf8' }).stderr).toContain('unknown shell; use bash, zsh or fish');
  });
});
