import { createHash } from 'node:crypto';
import { interpolate, type Language } from '../engine/i18n.ts';
import type { Finding } from '../engine/finding.ts';
import { formatPssVersion, type PssVersion } from '../engine/pss-version.ts';
import type { AnyRule } from '../engine/rule.ts';
import { countBySeverity, overallScore } from '../engine/score.ts';
import { severityRank, type Severity } from '../engine/severity.ts';
import type { WorkloadResult } from '../engine/run.ts';
import {
  REPORT_API_VERSION,
  REPORT_KIND,
  type InspectionReport,
  type ReportDiff,
  type ReportDiffEntry,
  type ReportError,
  type ReportFinding,
  type ReportSource,
} from './model.ts';

export interface BuildReportInput {
  readonly results: readonly WorkloadResult[];
  readonly errors: readonly ReportError[];
  readonly skipped?: ReadonlyMap<string, number>;
  /** The rules that ran. */
  readonly rules: readonly AnyRule[];
  /** Severity overrides from config, so the rule list shows what was applied. */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  readonly lang: Language;
  readonly source: ReportSource;
  readonly pssVersion: PssVersion;
  readonly generatedAt: Date;
  readonly toolVersion: string;
  readonly cluster?: string;
  readonly durationMs?: number;
  /** The previous report, to list new and resolved findings. */
  readonly previous?: InspectionReport;
}

export function findingId(finding: Pick<Finding, 'ruleId' | 'workload' | 'container' | 'path' | 'missing'>): string {
  const { kind, namespace, name } = finding.workload;
  const key = [finding.ruleId, kind, namespace ?? '', name, finding.container ?? '', finding.path, finding.missing ?? ''].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.workload.namespace ?? '').localeCompare(b.workload.namespace ?? '') ||
    a.workload.kind.localeCompare(b.workload.kind) ||
    a.workload.name.localeCompare(b.workload.name) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.path.localeCompare(b.path)
  );
}

function diffEntry(f: ReportFinding): ReportDiffEntry {
  return { id: f.id, ruleId: f.ruleId, severity: f.severity, workload: f.workload, container: f.container, path: f.path, message: f.message };
}

/** New and resolved unexempted findings relative to an earlier report. */
export function diffReports(previous: InspectionReport, current: Pick<InspectionReport, 'findings'>): Omit<ReportDiff, 'since' | 'previousScore'> {
  const active = (r: Pick<InspectionReport, 'findings'>) => new Map(r.findings.filter((f) => !f.exempted).map((f) => [f.id, f]));
  const before = active(previous);
  const after = active(current);
  return {
    new: [...after.values()].filter((f) => !before.has(f.id)).map(diffEntry),
    resolved: [...before.values()].filter((f) => !after.has(f.id)).map(diffEntry),
  };
}

export function buildReport(input: BuildReportInput): InspectionReport {
  const metaById = new Map(input.rules.map((rule) => [rule.meta.id, rule.meta]));
  const lang = input.lang;
  const findings: ReportFinding[] = [];
  const all: Finding[] = [];
  for (const result of input.results) {
    for (const finding of result.findings) {
      all.push(finding);
      const meta = metaById.get(finding.ruleId);
      const data = { container: finding.container ?? '', ...finding.data };
      findings.push({
        id: findingId(finding),
        ...finding,
        message: meta ? interpolate(meta.messages[finding.messageId]?.[lang] ?? finding.messageId, data) : finding.messageId,
        remediation: meta ? meta.docs.fix[lang] : '',
      });
    }
  }
  findings.sort(compareFindings);
  const unexempted = all.filter((f) => !f.exempted);
  const workloads = input.results.map((r) => ({
    ...r.workload,
    score: r.score,
    findings: r.findings.filter((f) => !f.exempted).length,
    ...(r.source ? { source: r.source } : {}),
  }));
  const base: InspectionReport = {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    metadata: {
      generatedAt: input.generatedAt.toISOString(),
      source: input.source,
      pssVersion: formatPssVersion(input.pssVersion),
      lang,
      tool: { name: 'kube-patrol', version: input.toolVersion },
      ...(input.cluster ? { cluster: input.cluster } : {}),
      ...(input.durationMs === undefined ? {} : { durationMs: Math.round(input.durationMs) }),
    },
    summary: {
      score: overallScore(input.results.map((r) => r.score)),
      workloads: input.results.length,
      findings: unexempted.length,
      exempted: all.length - unexempted.length,
      bySeverity: countBySeverity(all),
      skipped: Object.fromEntries([...(input.skipped ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b))),
    },
    rules: input.rules.map((rule) => ({
      id: rule.meta.id,
      title: rule.meta.title[lang],
      severity: input.severityOverrides?.[rule.meta.id] ?? rule.meta.severity,
      category: rule.meta.category,
      pss: rule.meta.pss,
    })),
    workloads,
    findings,
    errors: input.errors,
  };
  if (!input.previous) return base;
  return {
    ...base,
    diff: { since: input.previous.metadata.generatedAt, previousScore: input.previous.summary.score, ...diffReports(input.previous, base) },
  };
}
