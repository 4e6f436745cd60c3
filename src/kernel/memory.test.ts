import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { trimAfterFullGc } from './memory.js';
import { native } from './setns.js';

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void; // a context made after the flag has gc()

describe('giving freed C memory back', () => {
  it('the addon trims the C heap (glibc): a yes or no, never a throw', () => {
    expect(typeof native().mallocTrim()).toBe('boolean');
  });
  it('trims once, a quiet moment after full collections, and not after it is stopped', async () => {
    let trims = 0;
    const stop = trimAfterFullGc(() => trims++, 50);
    fullGc();
    fullGc(); // two in a row: one trim
    await new Promise((r) => setTimeout(r, 300));
    expect(trims).toBe(1);
    stop();
    fullGc();
    await new Promise((r) => setTimeout(r, 300));
    expect(trims).toBe(1);
  });
});
