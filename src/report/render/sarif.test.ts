import { describe, expect, it } from 'vitest';
import { FIXTURE_RULE_META, goldenReport } from '../../../test/support/golden-report.ts';
import { assertValidSarif } from '../../../test/support/sarif-schema.ts';
import type { InspectionReport } from '../model.ts';
import { artifactUri, FINGERPRINT_KEY, renderSarif, SECURITY_SEVERITY } from './sarif.ts';

/** The golden report, scanned once for every test of this file. */
const GOLDEN = await goldenReport();

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation?: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number };
    };
    logicalLocations: { fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown: string };
  helpUri?: string;
  properties: { tags: string[]; 'security-severity': string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: SarifRule[] } };
    results: SarifResult[];
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: { message: { text: string } }[];
    }[];
  }[];
}

const rules = FIXTURE_RULE_META;

function sarifOf(report: InspectionReport, baseDir?: string): SarifLog {
  const text = renderSarif(report, { rules, ...(baseDir ? { baseDir } : {}) });
  assertValidSarif(text);
  return JSON.parse(text) as SarifLog;
}

describe('renderSarif', () => {
  const report = GOLDEN;
  const log = sarifOf(report);
  const run = log.runs[0]!;

  it('is a valid SARIF 2.1.0 log in both languages', async () => {
    expect(log.version).toBe('2.1.0');
    sarifOf(await goldenReport('zh-CN'));
  });

  it('has one result per finding, pointing at its rule by id and index, with file and line', async () => {
    expect(run.results).toHaveLength(report.findings.length);
    for (const [i, result] of run.results.entries()) {
      const finding = report.findings[i]!;
      expect(result.ruleId).toBe(finding.ruleId);
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(finding.ruleId);
      expect(result.message.text).toBe(finding.message);
      const physical = result.locations[0]?.physicalLocation;
      expect(physical?.artifactLocation).toEqual({ uri: finding.source?.file, uriBaseId: '%SRCROOT%' });
      expect(physical?.region?.startLine).toBe(finding.source?.line);
      expect(result.partialFingerprints[FINGERPRINT_KEY]).toBe(finding.id);
    }
  });

  it('maps severities to levels', async () => {
    const level = (severity: string) =>
      run.results.find((_, i) => report.findings[i]?.severity === severity)?.level;
    expect(level('critical')).toBe('error');
    expect(level('high')).toBe('error');
    expect(level('medium')).toBe('warning');
    expect(level('low')).toBe('note');
  });

  it('carries full rule metadata with security-severity as a number in a string', async () => {
    const privileged = run.tool.driver.rules.find((r) => r.id === 'privileged')!;
    const meta = rules.find((r) => r.id === 'privileged')!;
    expect(privileged.shortDescription.text).toBe(meta.title.en);
    expect(privileged.fullDescription?.text).toBe(meta.docs.why.en);
    expect(privileged.help?.text).toContain(meta.docs.fix.en);
    expect(privileged.help?.markdown).toContain('```yaml\n' + meta.docs.snippet + '\n```');
    expect(privileged.helpUri).toBe(meta.docs.references[0]?.url);
    expect(privileged.properties['security-severity']).toBe('9.5');
    expect(privileged.properties.tags).toEqual(
      expect.arrayContaining(['security', 'pod-security', 'pss-baseline']),
    );
    expect(SECURITY_SEVERITY).toEqual({
      critical: '9.5',
      high: '8.0',
      medium: '5.5',
      low: '3.0',
      info: '0.0',
    });
    expect(run.tool.driver.rules.map((r) => r.properties['security-severity'])).toEqual([
      '8.0',
      '3.0',
      '5.5',
      '9.5',
    ]);
  });

  it('marks exempted findings as suppressions: annotations in source, config external', async () => {
    const suppressed = run.results
      .map((r, i) => ({ r, f: report.findings[i]! }))
      .filter(({ f }) => f.exempted);
    expect(suppressed).toHaveLength(2);
    for (const { r, f } of suppressed) {
      expect(r.suppressions).toEqual([
        expect.objectContaining({
          kind: f.exempted?.by === 'annotation' ? 'inSource' : 'external',
          justification: f.exempted?.reason,
        }),
      ]);
    }
    expect(run.results.filter((r) => r.suppressions)).toHaveLength(2);
  });

  it('keeps fingerprints stable from scan to scan', async () => {
    expect(renderSarif(GOLDEN, { rules })).toBe(renderSarif(report, { rules }));
  });

  it('reports input errors as tool notifications', async () => {
    expect(run.invocations[0]?.executionSuccessful).toBe(false);
    expect(run.invocations[0]?.toolExecutionNotifications[0]?.message.text).toBe(
      'test/fixtures/golden/input/unreadable.yaml: permission denied',
    );
  });

  it('makes absolute files relative to the base directory and encodes URIs', async () => {
    expect(artifactUri('/work/repo/deploy/app one.yaml', '/work/repo')).toEqual({
      uri: 'deploy/app%20one.yaml',
      relative: true,
    });
    expect(artifactUri('/elsewhere/x.yaml', '/work/repo')).toEqual({
      uri: 'file:///elsewhere/x.yaml',
      relative: false,
    });
    expect(artifactUri('k8s/#1.yaml')).toEqual({ uri: 'k8s/%231.yaml', relative: true });
    const moved: InspectionReport = {
      ...report,
      findings: report.findings.map((f) => ({
        ...f,
        source: { file: `/ci/checkout/${f.source?.file}`, line: 1 },
      })),
    };
    const result = sarifOf(moved, '/ci/checkout').runs[0]!.results[0]!;
    expect(result.locations[0]?.physicalLocation?.artifactLocation.uri).toBe(
      report.findings[0]?.source?.file,
    );
  });

  it('gives cluster findings a logical location only', async () => {
    const cluster: InspectionReport = {
      ...report,
      metadata: { ...report.metadata, source: 'cluster', cluster: 'prod' },
      findings: report.findings.map(({ source: _s, ...f }) => f),
      errors: [],
    };
    const result = sarifOf(cluster).runs[0]!.results[1]!;
    expect(result.locations[0]?.physicalLocation).toBeUndefined();
    expect(result.locations[0]?.logicalLocations[0]?.fullyQualifiedName).toBe('Pod/shop/debug/shell');
  });
});
