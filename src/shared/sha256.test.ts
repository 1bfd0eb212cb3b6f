import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.ts';

const reference = (text: string): string => hash('sha256', text, 'hex');

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every length around the block and padding boundaries', () => {
    for (let length = 0; length <= 300; length++) {
      const text = 'x'.repeat(length);
      expect(sha256Hex(text), `length ${length}`).toBe(reference(text));
    }
  });

  it('agrees with node:crypto on generated strings (any code unit, lone surrogates included)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(sha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', '\u0000', 'é', '中', '\ud83d', '\ude00', '😀'),
          maxLength: 100,
        }),
        (text) => {
          expect(sha256Hex(text)).toBe(reference(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the leading digits asked for', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (text, digits) => {
        expect(sha256Hex(text, digits)).toBe(reference(text).slice(0, digits));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes a long text after a short one (the buffer grows) and a short one after it', () => {
    const long = 'kube-patrol '.repeat(10_000);
    expect(sha256Hex('a')).toBe(reference('a'));
    expect(sha256Hex(long)).toBe(reference(long));
    expect(sha256Hex('b')).toBe(reference('b'));
  });
});
