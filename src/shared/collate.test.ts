import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText } from './collate.ts';

const root = new Intl.Collator('en');
const reference = (a: string, b: string): number => Math.sign(root.compare(a, b));

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

describe('compareText', () => {
  it('orders every pair of printable ASCII characters (and the empty string) as the root collation', () => {
    const texts = ['', ...PRINTABLE];
    for (const a of texts)
      for (const b of texts) expect(compareText(a, b), `${a} vs ${b}`).toBe(reference(a, b));
  });

  it('orders generated ASCII strings as the root collation (case, punctuation, prefixes)', () => {
    const tricky = fc.constantFrom('a', 'A', 'b', 'B', 'z', 'Z', '-', '_', '.', '/', ' ', '0', '9', '~', '$');
    const text = fc.string({ unit: tricky, maxLength: 12 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareText(a, b)).toBe(reference(a, b));
      }),
      { numRuns: 20_000 },
    );
    // Strings with a long common part, which differ late (at the primary or only the tertiary level).
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: 40 }),
        text,
        text,
        (p, a, b) => {
          expect(compareText(p + a, p + b)).toBe(reference(p + a, p + b));
          expect(compareText(a + p, b + p)).toBe(reference(a + p, b + p));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('agrees with the root collation on any string (outside the table it is the collator)', () => {
    const unit = fc.oneof(
      fc.constantFrom(...PRINTABLE),
      fc.constantFrom(
        '\u0000',
        '\t',
        '\n',
        '\u0301',
        'é',
        'å',
        'ß',
        'ı',
        '中',
        '\ud83d',
        '\ude00',
        '\u00a0',
        '\u007f',
      ),
    );
    const text = fc.string({ unit, maxLength: 10 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareText(a, b)).toBe(reference(a, b));
      }),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 10 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        (a, b) => {
          expect(compareText(a, b)).toBe(reference(a, b));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('does not depend on the locale of the process', () => {
    const sorted = (locale: string): string => {
      const run = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { compareText } from ${JSON.stringify(fileURLToPath(new URL('./collate.ts', import.meta.url)))};
           const words = ['aa', 'z', 'B', 'b', 'å', 'ch', 'cz', 'ä', 'Ö', 'o', 'y', 'i', 'ı'];
           process.stdout.write(JSON.stringify(words.sort(compareText)) + ' ' + ['aa', 'z', 'B', 'b'].sort((a, b) => a.localeCompare(b)).join(','));`,
        ],
        { encoding: 'utf8', env: { ...process.env, LANG: locale, LC_ALL: locale } },
      );
      expect(run.stderr).toBe('');
      return run.stdout;
    };
    const [english, englishLocale] = sorted('en_US.UTF-8').split(' ');
    const [danish, danishLocale] = sorted('da_DK.UTF-8').split(' ');
    // localeCompare follows the locale (the Danish one sorts aa last): the test can see a difference.
    expect(danishLocale).not.toBe(englishLocale);
    expect(danish).toBe(english);
    expect(JSON.parse(english as string)).toEqual(
      ['aa', 'z', 'B', 'b', 'å', 'ch', 'cz', 'ä', 'Ö', 'o', 'y', 'i', 'ı'].sort(root.compare),
    );
  });
});
