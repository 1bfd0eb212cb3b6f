import { readFileSync } from 'node:fs';
import { REGISTRY } from '../support/registry.ts';
import { describe, expect, it } from 'vitest';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { goldenReport } from '../support/golden-report.ts';
import { assertValidReport, REPORT_SCHEMA_PATH, reportSchemaErrors } from '../support/report-schema.ts';

describe('schemas/report.schema.json', () => {
  it('is a draft 2020-12 schema', async () => {
    const schema = JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts the golden reports in both languages, with diff, exemptions and errors', async () => {
    assertValidReport(await goldenReport('en'));
    assertValidReport(await goldenReport('zh-CN'));
  });

  it('accepts a scan of examples/ with every registered rule', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const settings = resolveSettings(REGISTRY, {}, { lang }, new Date());
      const { report } = await scanManifests(['examples/'], settings);
      expect(report.findings.length).toBeGreaterThan(0);
      assertValidReport(report);
    }
    expect(parsePssVersion('latest').major).toBe(1);
  });

  it('rejects reports that break the contract', async () => {
    type Loose = { [key: string]: unknown } & {
      summary: { score: unknown; bySeverity: Record<string, unknown> };
      metadata: Record<string, unknown>;
      findings: Record<string, unknown>[];
    };
    const report: InspectionReport = await goldenReport();
    const broken = (mutate: (r: Loose) => void) => {
      const copy = JSON.parse(JSON.stringify(report)) as Loose;
      mutate(copy);
      return reportSchemaErrors(copy);
    };
    expect(reportSchemaErrors(report)).toBe('');
    expect(broken((r) => delete r.summary.bySeverity['info'])).toContain('info');
    expect(broken((r) => (r.findings[0]!['severity'] = 'urgent'))).toContain('/findings/0/severity');
    expect(broken((r) => (r.summary.score = 101))).toContain('/summary/score');
    expect(broken((r) => (r.metadata['generatedAt'] = 'yesterday'))).toContain('/metadata/generatedAt');
    expect(broken((r) => (r.findings[0]!['exempted'] = { by: 'magic', reason: 'x' }))).toContain(
      '/findings/0/exempted/by',
    );
    expect(broken((r) => (r['unknownField'] = 1))).toContain('unknownField');
    expect(broken((r) => (r['apiVersion'] = 'kube-patrol.io/v2'))).toContain('/apiVersion');
  });
});
