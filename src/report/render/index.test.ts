import { describe, expect, it } from 'vitest';
import { FIXTURE_RULE_META, goldenReport } from '../../../test/support/golden-report.ts';
import { assertValidReport } from '../../../test/support/report-schema.ts';
import { assertValidSarif } from '../../../test/support/sarif-schema.ts';
import { ALL_RULE_META, OUTPUT_FORMATS, renderOutDir, renderReport } from './index.ts';

describe('renderReport', () => {
  it('offers the formats of the CLI contract', () => {
    expect(OUTPUT_FORMATS).toEqual(['table', 'json', 'yaml', 'html', 'sarif']);
  });

  it('renders every format from the same model', () => {
    const report = goldenReport();
    for (const format of OUTPUT_FORMATS)
      expect(renderReport(report, format, { rules: FIXTURE_RULE_META }).length).toBeGreaterThan(100);
    assertValidReport(renderReport(report, 'json'));
    assertValidSarif(renderReport(report, 'sarif'));
  });

  it('writes report.json, report.html and report.sarif for --out-dir', () => {
    const files = renderOutDir(goldenReport());
    expect(Object.keys(files).sort()).toEqual(['report.html', 'report.json', 'report.sarif']);
    expect(files['report.html']).toMatch(/^<!DOCTYPE html>/);
    assertValidSarif(files['report.sarif']);
  });

  it('documents every registered rule by default', () => {
    expect(ALL_RULE_META.length).toBeGreaterThan(0);
    expect(new Set(ALL_RULE_META.map((m) => m.id)).size).toBe(ALL_RULE_META.length);
  });
});
