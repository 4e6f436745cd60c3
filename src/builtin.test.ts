// digest(): the addon's hash (Node's own OpenSSL, native/digest.c) gives node:crypto's bytes, for any text:
// veth names and the records' digests must not change with the way they are computed.
import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digest } from './builtin.js';
import { addonPath } from './package.js';

describe('digest', () => {
  it('is computed by the addon on this Node (its OpenSSL is there)', () => {
    const addon = createRequire(import.meta.url)(addonPath()) as { hashAvailable(): boolean };
    expect(addon.hashAvailable()).toBe(true);
  });

  it("gives node:crypto's digest of any text, short or long, in hex and base64", () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', minLength: 4000, maxLength: 9000 }));
    fc.assert(fc.property(text, fc.constantFrom('sha1', 'sha256' as const), fc.constantFrom('hex', 'base64' as const), (s, alg, enc) => {
      expect(digest(alg as 'sha1' | 'sha256', s, enc)).toBe(hash(alg, s, enc));
    }), { numRuns: 300 });
  });

  it('known values (FIPS 180 test vectors)', () => {
    expect(digest('sha256', 'abc', 'hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digest('sha1', 'abc', 'hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(digest('sha256', '', 'hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
