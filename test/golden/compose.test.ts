// `ctnet import compose`: each test/golden/compose/<case>/compose.yaml against its reviewed
// topology.yaml (what is printed) and notes.txt (what was not translated, located). The printed
// topology is a valid ctnet topology: the command checks that itself, and so does this test.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importComposeCommand } from '../../src/cli/import.js';
import { checkTexts } from '../../src/spec/index.js';
import { checkGolden } from '../helpers/golden.js';

const DIR = join(import.meta.dirname, 'compose');

describe('import compose', () => {
  for (const name of readdirSync(DIR).sort()) {
    it(name, async () => {
      const log: string[] = [];
      const err: string[] = [];
      const code = await importComposeCommand(join(DIR, name, 'compose.yaml'), {}, { log: (l) => log.push(l), err: (l) => err.push(l) });
      expect(code).toBe(0);
      const text = log.join('\n') + '\n';
      expect(checkTexts([{ file: 'imported.yaml', text }]).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      checkGolden(join(DIR, name, 'topology.yaml'), text);
      checkGolden(join(DIR, name, 'notes.txt'), err.join('\n').replaceAll(DIR + '/', '') + '\n');
    });
  }
});
