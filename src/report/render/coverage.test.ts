import { describe, expect, it } from 'vitest';
import { FIXTURE_RULE_META, goldenReport } from '../../../test/support/golden-report.ts';
import { HOSTILE } from '../../../test/support/hostile.ts';
import { assertValidReport } from '../../../test/support/report-schema.ts';
import type { InspectionReport } from '../model.ts';
import { renderReport } from './index.ts';

const GOLDEN = await goldenReport();
const rules = FIXTURE_RULE_META;

/** The golden report as a partial cluster scan: CronJobs refused in one namespace. */
function partial(): InspectionReport {
  return {
    ...GOLDEN,
    metadata: { ...GOLDEN.metadata, source: 'cluster', cluster: 'prod' },
    summary: { ...GOLDEN.summary, score: null, scoreWithheld: 'partial' },
    coverage: {
      partial: true,
      kindsListed: ['Deployment', 'Pod'],
      denied: [
        { kind: 'CronJob', namespace: HOSTILE.script, status: 403 },
        { kind: 'Job', namespace: null, status: 403 },
      ],
      workloadsInspected: 7,
      namespacesSeen: 2,
    },
  };
}

describe('a partial scan in every renderer', () => {
  it('is a valid report: coverage, a null score and why', () => {
    assertValidReport(partial());
  });

  it('HTML shows no score, the refused lists (escaped) and what was seen', () => {
    const html = renderReport(partial(), 'html', { rules });
    expect(html).toContain('No score: the scan could not list every workload kind');
    expect(html).toContain('Partial scan');
    expect(html).toContain('2 workload kinds listed, 7 objects inspected in 2 namespaces.');
    expect(html).toContain('Job (all namespaces): 403');
    expect(html).not.toContain(HOSTILE.script);
    expect(html).not.toMatch(/class="num">\d+</);
    const zh = renderReport({ ...partial(), metadata: { ...partial().metadata, lang: 'zh-CN' } }, 'html', {
      rules,
    });
    expect(zh).toContain('部分扫描');
  });

  it('the table shows no score and says why; SARIF says the run did not succeed', () => {
    const table = renderReport(partial(), 'table', { rules });
    expect(table).toMatch(/Score: —\/100/);
    expect(table).toContain('No score: the scan could not list every workload kind');
    const sarif = JSON.parse(renderReport(partial(), 'sarif', { rules })) as {
      runs: { invocations: { executionSuccessful: boolean }[]; properties: Record<string, unknown> }[];
    };
    expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(sarif.runs[0]!.properties).toMatchObject({ score: null, scoreWithheld: 'partial' });
  });

  it('a complete report keeps its score everywhere', () => {
    const html = renderReport(GOLDEN, 'html', { rules });
    expect(html).toContain(`class="num">${GOLDEN.summary.score}<`);
    expect(html).not.toContain('id="coverage"');
  });
});
