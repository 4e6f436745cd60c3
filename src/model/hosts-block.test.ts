import { describe, expect, it } from 'vitest';
import { BEGIN, END, extractBlock, LOCALHOST_LINES, mergeBlock, removeBlock } from './hosts-block.js';

describe('hosts block', () => {
  it('creates a new file with the header, then the block', () => {
    const text = mergeBlock(undefined, '10.1.0.2\tweb2', LOCALHOST_LINES);
    expect(text).toBe(`${LOCALHOST_LINES}\n${BEGIN}\n10.1.0.2\tweb2\n${END}\n`);
    expect(extractBlock(text)).toBe('10.1.0.2\tweb2');
  });

  it('puts the block first in an existing file and keeps every foreign line byte for byte', () => {
    const foreign = '# mine\n192.168.1.1  router   # keep spacing\n\n';
    const text = mergeBlock(foreign, 'a\nb', LOCALHOST_LINES);
    expect(text).toBe(`${BEGIN}\na\nb\n${END}\n${foreign}`);
  });

  it('replaces the block where it stands and keeps lines before and after it', () => {
    const text = `top\n${BEGIN}\nold\n${END}\nbottom\n`;
    expect(mergeBlock(text, 'new')).toBe(`top\n${BEGIN}\nnew\n${END}\nbottom\n`);
    expect(mergeBlock(text, '')).toBe(`top\n${BEGIN}\n${END}\nbottom\n`);
  });

  it('reads a block whose END was cut as running to the end of the file', () => {
    expect(extractBlock(`x\n${BEGIN}\na\nb\n`)).toBe('a\nb');
    expect(extractBlock('no block here\n')).toBeUndefined();
  });

  it('removes the block; the file is empty when only ctnet\'s header is left', () => {
    const created = mergeBlock(undefined, 'a', LOCALHOST_LINES);
    expect(removeBlock(created, LOCALHOST_LINES)).toEqual({ text: `${LOCALHOST_LINES}\n`, empty: true });
    const shared = `keep me\n${BEGIN}\na\n${END}\nand me\n`;
    expect(removeBlock(shared, LOCALHOST_LINES)).toEqual({ text: 'keep me\nand me\n', empty: false });
    expect(removeBlock(`${BEGIN}\na\n${END}\n\n`)).toEqual({ text: '\n', empty: true });
  });
});
