// Golden files: the expected output is committed, and a run compares against it.
// A missing expected file fails the test (it is never written silently); only an
// explicit UPDATE_GOLDEN=1 run writes expected files, for a human to review in git.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export function checkGolden(file: string, got: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, got);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: write it with UPDATE_GOLDEN=1 and review it before committing.\nGot:\n${got}`);
  }
  const want = readFileSync(file, 'utf8');
  if (got !== want) console.log(`${file}\nExpected:\n${want}\nGot:\n${got}`);
  expect(got, `${file} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(want);
}
