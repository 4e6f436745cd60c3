// Golden validate cases: each folder under test/golden/validate/ holds one or more
// *.yaml files (checked together, in name order), diagnostics.txt, the exact output
// `ctnet validate` prints, and diagnostics.json, what `validate --json` prints (ctnet's
// version written as "VERSION"). UPDATE_GOLDEN=1 rewrites them.
import { readdirSync, readFileSync } from 'node:fs';
import { checkGolden } from '../helpers/golden.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/errors.js';
import { checkTexts } from '../../src/spec/index.js';
import { diagnosticsJson } from '../../src/cli/validate.js';
import { ctnetVersion } from '../../src/package.js';

const root = join(import.meta.dirname, 'validate');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('golden validate', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const name of cases) {
    it(name, () => {
      const dir = join(root, name);
      const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
      // File names as a user would pass them, so the golden text shows `topology.yaml:3:5`.
      const r = checkTexts(files.map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })));
      const got = (r.diagnostics.length ? r.diagnostics.map(formatDiagnostic).join('\n') : '(no diagnostics)') +
        `\n${r.topology ? 'valid' : 'invalid'}\n`;
      checkGolden(join(dir, 'diagnostics.txt'), got);
      checkGolden(join(dir, 'diagnostics.json'), diagnosticsJson(r.topology !== undefined, r.diagnostics).replace(`"${ctnetVersion()}"`, '"VERSION"') + '\n');
    });
  }
});
