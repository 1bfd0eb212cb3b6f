import type { InspectionReport, ReportDiff, ReportDiffEntry } from './model.ts';

/**
 * What a diff needs of an earlier report: when it was made, its score, and its unexempted findings as diff
 * entries. The operator keeps this between scans (and reads it back without parsing the whole report).
 */
export interface DiffBase {
  readonly generatedAt: string;
  readonly score: number | null;
  /** Unexempted findings only. */
  readonly findings: readonly ReportDiffEntry[];
}

export function diffBaseOf(report: InspectionReport | DiffBase): DiffBase {
  if (!('apiVersion' in report)) return report;
  return {
    generatedAt: report.metadata.generatedAt,
    score: report.summary.score,
    findings: report.findings.filter((f) => !f.exempted).map(diffEntry),
  };
}

export function diffEntry(f: ReportDiffEntry): ReportDiffEntry {
  return {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    workload: f.workload,
    container: f.container,
    path: f.path,
    message: f.message,
  };
}

/** New and resolved unexempted findings relative to an earlier report. */
export function diffReports(
  previous: Pick<InspectionReport, 'findings'> | DiffBase,
  current: Pick<InspectionReport, 'findings'>,
): Omit<ReportDiff, 'since' | 'previousScore'> {
  const active = (r: { readonly findings: readonly (ReportDiffEntry & { readonly exempted?: unknown })[] }) =>
    new Map(r.findings.filter((f) => !f.exempted).map((f) => [f.id, f]));
  const before = active(previous);
  const after = active(current);
  return {
    new: [...after.values()].filter((f) => !before.has(f.id)).map(diffEntry),
    resolved: [...before.values()].filter((f) => !after.has(f.id)).map(diffEntry),
  };
}
