// The fuzz corpus (issue 16): every invalid file in test/fuzz/corpus (made by scripts/gen-fuzz-corpus.mjs)
// must end in errors that say where (file:line:col, or the file itself for problems of the whole file),
// in bounded time, and never as "internal error" or an exception. `ctnet validate` is loadTopology.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderError, SpecError } from '../../src/errors.js';
import { loadTopology } from '../../src/spec/index.js';

const DIR = join(import.meta.dirname, '../fuzz/corpus');
const files = readdirSync(DIR).sort();

describe('fuzz corpus: invalid input is a located error, never an internal one', () => {
  it('holds at least 400 files', () => expect(files.length).toBeGreaterThanOrEqual(400));

  it('every file: located or file-level errors, within 2 s, no exception', async () => {
    const slow: string[] = [];
    const bad: string[] = [];
    for (const name of files) {
      const file = join(DIR, name);
      const t0 = performance.now();
      let r;
      try {
        r = await loadTopology([file]);
      } catch (err) {
        bad.push(`${name}: threw ${String(err)}`);
        continue;
      }
      const ms = performance.now() - t0;
      if (ms > 2000) slow.push(`${name}: ${ms.toFixed(0)} ms`);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (r.topology || errors.length === 0) { bad.push(`${name}: accepted`); continue; }
      for (const d of errors) {
        if (d.file !== file) bad.push(`${name}: an error without its file: ${d.message}`);
        if (/internal error|is not a function|Maximum call stack|undefined/.test(d.message)) bad.push(`${name}: ${d.message}`);
      }
      // What the CLI prints for it: no "internal error", no bug report request.
      const printed = renderError(new SpecError(r.diagnostics));
      if (printed.bug) bad.push(`${name}: rendered as a bug`);
    }
    expect(bad).toEqual([]);
    expect(slow).toEqual([]);
  }, 120_000);
});
