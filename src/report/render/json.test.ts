import { describe, expect, it } from 'vitest';
import { goldenReport } from '../../../test/support/golden-report.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { LARGE_REPORT_FINDINGS, renderJson, renderJsonChunks } from './json.ts';

/** The golden report, scanned once for every test of this file. */
const GOLDEN = await goldenReport();

function largeReport(): InspectionReport {
  const report = GOLDEN;
  const findings: ReportFinding[] = Array.from({ length: LARGE_REPORT_FINDINGS + 1 }, (_, i) => ({
    ...(report.findings[i % report.findings.length] as ReportFinding),
    id: `large-${i}`,
    message: 'a "quoted" message, … and more',
  }));
  return { ...report, findings };
}

describe('renderJson', () => {
  it('indents small reports throughout', async () => {
    const report = GOLDEN;
    expect(renderJson(report)).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it('writes a large report as the same JSON value, one finding, workload and rule per line', async () => {
    const report = largeReport();
    const text = renderJson(report);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
    const lines = text.split('\n');
    expect(lines.filter((line) => line.startsWith('    {"id":"large-'))).toHaveLength(report.findings.length);
    expect(lines.filter((line) => line.startsWith('    {"kind":'))).toHaveLength(report.workloads.length);
    expect(lines[1]).toBe('  "apiVersion": "kube-patrol.io/v1alpha1",');
    expect([lines[0], lines.at(-2), lines.at(-1)]).toEqual(['{', '}', '']);
  });

  it('gives the same text in chunks, for writing a large report without one big string', async () => {
    const report = largeReport();
    const chunks = [...renderJsonChunks(report, 100)];
    expect(chunks.length).toBeGreaterThan(report.findings.length / 100);
    expect(chunks.join('')).toBe(renderJson(report));
  });
});
