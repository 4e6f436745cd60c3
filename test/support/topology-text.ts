// A valid topology from YAML text, for tests that start from one: fails the test (with the diagnostics)
// when the text has an error.
import { expect } from 'vitest';
import { checkTexts, type Topology } from '../../src/spec/index.js';

export function topo(text: string): Topology {
  const r = checkTexts([{ file: 't.yaml', text }]);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.topology!;
}
