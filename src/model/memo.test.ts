import { describe, expect, it } from 'vitest';
import { memoized } from './memo.js';

describe('memoized', () => {
  it('works an answer out once, undefined ones included', () => {
    const asked: string[] = [];
    const f = memoized((s) => { asked.push(s); return s === 'none' ? undefined : s.length; }, 10);
    expect([f('ab'), f('ab'), f('none'), f('none'), f('abc')]).toEqual([2, 2, undefined, undefined, 3]);
    expect(asked).toEqual(['ab', 'none', 'abc']);
  });
  it('keeps at most its bound, and answers the same after forgetting', () => {
    const asked: string[] = [];
    const f = memoized((s) => { asked.push(s); return s.toUpperCase(); }, 2);
    expect([f('a'), f('b'), f('c'), f('a'), f('c')]).toEqual(['A', 'B', 'C', 'A', 'C']);
    // 'c' came when two were kept: the memory started over with it, so 'a' was worked out again, 'c' not.
    expect(asked).toEqual(['a', 'b', 'c', 'a']);
  });
});
