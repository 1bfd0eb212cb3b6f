import { describe, expect, it } from 'vitest';
import { FIXTURE_RULE_META, goldenReport } from '../../../test/support/golden-report.ts';
import { assertValidReport } from '../../../test/support/report-schema.ts';
import { assertValidSarif } from '../../../test/support/sarif-schema.ts';
import { OUTPUT_FORMATS, renderOutDir, renderReport } from './index.ts';

describe('renderReport', () => {
  it('offers the formats of the CLI contract', async () => {
    expect(OUTPUT_FORMATS).toEqual([
      'table',
      'line',
      'json',
      'yaml',
      'html',
      'sarif',
      'openreports',
      'policyreports',
    ]);
  });

  it('renders every format from the same model', async () => {
    const report = await goldenReport();
    for (const format of OUTPUT_FORMATS)
      expect(renderReport(report, format, { rules: FIXTURE_RULE_META }).length).toBeGreaterThan(100);
    assertValidReport(renderReport(report, 'json', { rules: FIXTURE_RULE_META }));
    assertValidSarif(renderReport(report, 'sarif', { rules: FIXTURE_RULE_META }));
  });

  it('writes report.json, report.html and report.sarif for --out-dir', async () => {
    const files = renderOutDir(await goldenReport(), { rules: FIXTURE_RULE_META });
    expect(Object.keys(files).sort()).toEqual(['report.html', 'report.json', 'report.sarif']);
    expect(files['report.html']).toMatch(/^<!DOCTYPE html>/);
    assertValidSarif(files['report.sarif']);
  });
});
