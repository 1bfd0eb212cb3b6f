import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff.ts';

const dir = mkdtempSync(join(tmpdir(), 'kp-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Applies a diff with GNU patch and returns the result. */
function patchWith(before: string, diff: string): string {
  const file = join(dir, 'file');
  writeFileSync(file, before);
  const run = spawnSync('patch', ['--quiet', '--force', file], { input: diff, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`patch failed: ${run.stdout}${run.stderr}\n${diff}`);
  return readFileSync(file, 'utf8');
}

/** The number of changed lines GNU diff (minimal) finds. */
function gnuChanges(before: string, after: string): number {
  writeFileSync(join(dir, 'a'), before);
  writeFileSync(join(dir, 'b'), after);
  const run = spawnSync('diff', ['-d', '-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  return run.stdout
    .split('\n')
    .slice(2)
    .filter((line) => /^[-+]/.test(line)).length;
}

const changes = (diff: string) =>
  diff
    .split('\n')
    .slice(2)
    .filter((line) => /^[-+]/.test(line)).length;

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a', 'b', 'x\ny\n', 'x\ny\n')).toBe('');
  });

  it('writes the hunks of diff -u', () => {
    // Seven unchanged lines between the changes: two hunks (diff joins them at six or fewer).
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', ''].join('\n');
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', ''].join('\n');
    expect(unifiedDiff('a/x.yaml', 'b/x.yaml', before, after)).toBe(
      [
        '--- a/x.yaml',
        '+++ b/x.yaml',
        '@@ -1,7 +1,7 @@',
        ' a',
        ' b',
        ' c',
        '-d',
        '+D',
        ' e',
        ' f',
        ' g',
        '@@ -9,3 +9,4 @@',
        ' i',
        ' j',
        ' k',
        '+l',
        '',
      ].join('\n'),
    );
  });

  it('marks a last line without a newline', () => {
    const diff = unifiedDiff('a', 'b', 'x\ny', 'x\nz\n');
    expect(diff).toContain('-y\n\\ No newline at end of file\n+z\n');
    expect(patchWith('x\ny', diff)).toBe('x\nz\n');
  });

  it('GNU patch turns the old text into the new, with as few changed lines as GNU diff finds', () => {
    const line = fc.constantFrom('a', 'b', 'c', '', '  - x', '# c');
    const text = fc
      .tuple(fc.array(line, { maxLength: 30 }), fc.boolean())
      .map(([lines, newline]) => (lines.length === 0 ? '' : lines.join('\n') + (newline ? '\n' : '')));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff('a/file', 'b/file', before, after);
        if (before === after) return diff === '';
        expect(patchWith(before, diff)).toBe(after);
        expect(changes(diff)).toBe(gnuChanges(before, after));
        return true;
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
