import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { goldenReport } from '../../../test/support/golden-report.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { buildPolicyReports, renderPolicyReports, TRUNCATED_ANNOTATION } from './openreports.ts';

function finding(over: Partial<ReportFinding> & Pick<ReportFinding, 'id'>): ReportFinding {
  return {
    ruleId: 'privileged',
    severity: 'critical',
    category: 'pod-security',
    pss: { level: 'baseline', check: 'privileged' },
    workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
    container: 'app',
    path: 'spec.template.spec.containers[0].securityContext.privileged',
    messageId: 'privileged',
    data: {},
    message: 'Container app runs privileged.',
    remediation: 'Set privileged: false.',
    ...over,
  };
}

function reportOf(findings: ReportFinding[]): InspectionReport {
  return {
    apiVersion: 'kube-patrol.io/v1alpha1',
    kind: 'InspectionReport',
    metadata: {
      generatedAt: '2026-03-01T08:30:00.250Z',
      source: 'cluster',
      pssVersion: 'v1.33',
      lang: 'en',
      tool: { name: 'kube-patrol', version: '0.0.0-test' },
    },
    summary: {
      score: 50,
      workloads: 3,
      findings: findings.filter((f) => !f.exempted).length,
      exempted: findings.filter((f) => f.exempted).length,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      skipped: {},
    },
    rules: [],
    workloads: [],
    findings,
    errors: [],
  };
}

const mixed = reportOf([
  finding({ id: 'a1', severity: 'low', ruleId: 'run-as-non-root', category: 'hardening', pss: null }),
  finding({ id: 'a2' }),
  finding({
    id: 'a3',
    workload: { kind: 'Pod', namespace: 'shop', name: 'debug' },
    exempted: { by: 'annotation', reason: 'incident debugging' },
  }),
  finding({ id: 'b1', workload: { kind: 'CronJob', namespace: 'batch', name: 'nightly' }, container: null }),
  finding({
    id: 'c1',
    ruleId: 'rbac-wildcard',
    category: 'hardening',
    pss: null,
    workload: { kind: 'ClusterRole', namespace: null, name: 'too-wide' },
    container: null,
    path: 'rules[0].verbs',
  }),
]);

describe('buildPolicyReports', () => {
  it('makes one Report per namespace with findings and one ClusterReport for cluster-scoped subjects', () => {
    const objects = buildPolicyReports(mixed, 'openreports');
    expect(objects.map((o) => [o.kind, o.metadata.namespace ?? null])).toEqual([
      ['ClusterReport', null],
      ['Report', 'batch'],
      ['Report', 'shop'],
    ]);
    for (const o of objects) {
      expect(o.apiVersion).toBe('openreports.io/v1alpha1');
      expect(o.metadata.name).toBe('kube-patrol');
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('kube-patrol');
      expect(o.source).toBe('kube-patrol');
    }
  });

  it('maps unexempted findings to fail and exempted ones to skip with the reason, failing and worst first', () => {
    const shop = buildPolicyReports(mixed, 'openreports').find((o) => o.metadata.namespace === 'shop')!;
    expect(shop.results.map((r) => [r.properties.findingId, r.result, r.severity])).toEqual([
      ['a2', 'fail', 'critical'],
      ['a1', 'fail', 'low'],
      ['a3', 'skip', 'critical'],
    ]);
    expect(shop.results[2]!.properties).toMatchObject({
      exemption: 'incident debugging',
      exemptedBy: 'annotation',
    });
    expect(shop.summary).toEqual({ pass: 0, fail: 2, warn: 0, error: 0, skip: 1 });
  });

  it('carries policy, category, message, timestamp, the workload reference and path/container properties', () => {
    const shop = buildPolicyReports(mixed, 'openreports').find((o) => o.metadata.namespace === 'shop')!;
    expect(shop.results[0]).toEqual({
      source: 'kube-patrol',
      policy: 'privileged',
      category: 'pod-security',
      severity: 'critical',
      result: 'fail',
      scored: true,
      message: 'Container app runs privileged.',
      timestamp: { seconds: 1772353800, nanos: 250_000_000 },
      resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' }],
      properties: {
        findingId: 'a2',
        path: 'spec.template.spec.containers[0].securityContext.privileged',
        container: 'app',
        pss: 'baseline/privileged',
        remediation: 'Set privileged: false.',
      },
    });
    const cluster = buildPolicyReports(mixed, 'openreports')[0]!;
    expect(cluster.results[0]!.resources).toEqual([{ kind: 'ClusterRole', name: 'too-wide' }]);
    expect(cluster.results[0]!.properties.container).toBeUndefined();
  });

  it('keeps at most maxResults results, counts every finding in the summary and says how many were left out', () => {
    const many = reportOf(Array.from({ length: 7 }, (_, i) => finding({ id: `f${i}` })));
    const [only] = buildPolicyReports(many, 'openreports', { maxResults: 3, maxResultBytes: 1 << 20 });
    expect(only!.results).toHaveLength(3);
    expect(only!.configuration).toEqual({ limits: { maxResults: 3 } });
    expect(only!.summary.fail).toBe(7);
    expect(only!.metadata.annotations).toEqual({ [TRUNCATED_ANNOTATION]: '4' });
  });

  it('stops adding results at the byte budget, whatever the count limit', () => {
    const long = 'x'.repeat(1500);
    const many = reportOf(Array.from({ length: 50 }, (_, i) => finding({ id: `f${i}`, message: long })));
    const [only] = buildPolicyReports(many, 'openreports', { maxResults: 1000, maxResultBytes: 16 * 1024 });
    expect(Buffer.byteLength(JSON.stringify(only!.results))).toBeLessThanOrEqual(16 * 1024 + 64);
    expect(only!.results.length).toBeGreaterThan(0);
    expect(only!.results.length).toBeLessThan(50);
    expect(only!.metadata.annotations?.[TRUNCATED_ANNOTATION]).toBe(String(50 - only!.results.length));
  });

  it('cuts a very long message and leaves short ones alone', () => {
    const [only] = buildPolicyReports(
      reportOf([finding({ id: 'l', message: 'y'.repeat(5000) })]),
      'openreports',
    );
    expect(only!.results[0]!.message.length).toBe(2048);
    expect(only!.results[0]!.message.endsWith('…')).toBe(true);
  });

  it('writes PolicyReport/ClusterPolicyReport without the fields the wgpolicyk8s CRD lacks', () => {
    const objects = buildPolicyReports(mixed, 'policyreports');
    expect(objects.map((o) => o.kind)).toEqual(['ClusterPolicyReport', 'PolicyReport', 'PolicyReport']);
    for (const o of objects) {
      expect(o.apiVersion).toBe('wgpolicyk8s.io/v1alpha2');
      expect(o).not.toHaveProperty('source');
      expect(o).not.toHaveProperty('configuration');
    }
    expect(objects.map((o) => o.results)).toEqual(
      buildPolicyReports(mixed, 'openreports').map((o) => o.results),
    );
  });

  it('makes nothing for a report without findings', () => {
    expect(buildPolicyReports(reportOf([]), 'openreports')).toEqual([]);
    expect(renderPolicyReports(reportOf([]), 'policyreports')).toBe('');
  });
});

describe('renderPolicyReports', () => {
  it('is a YAML stream of the objects, one document each', async () => {
    const report = await goldenReport();
    const text = renderPolicyReports(report, 'openreports');
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    expect(docs).toEqual(JSON.parse(JSON.stringify(buildPolicyReports(report, 'openreports'))));
    const results = docs.flatMap((d: { results: { result: string }[] }) => d.results);
    expect(results.filter((r) => r.result === 'fail')).toHaveLength(report.summary.findings);
    expect(results.filter((r) => r.result === 'skip')).toHaveLength(report.summary.exempted);
  });
});
