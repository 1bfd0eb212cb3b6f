import type { InspectionReport, ReportDiff, ReportDiffEntry, ReportFinding } from './model.ts';

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
    ...(f.exempted ? { exempted: f.exempted } : {}),
    ...(f.exemptionExpired ? { exemptionExpired: f.exemptionExpired } : {}),
  };
}

export type DiffLists = Required<Omit<ReportDiff, 'since' | 'previousScore'>>;

/**
 * The changes relative to an earlier report: new, resolved (gone), newly exempted (still there, now
 * exempted) and back because an exemption expired. Only the earlier report's unexempted findings matter,
 * so a DiffBase (which keeps only those) is enough.
 */
export function diffReports(
  previous: Pick<InspectionReport, 'findings'> | DiffBase,
  current: Pick<InspectionReport, 'findings'>,
  /** When the earlier report was made: an exemption that had expired by then is no change now. */
  previousGeneratedAt?: string,
): DiffLists {
  const since =
    previousGeneratedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previousGeneratedAt);
  // A finding that is new now and whose exemption expired after the earlier scan came back because of
  // that expiry; one whose exemption had already expired then is on a workload new since (else it would
  // have been unexempted before too).
  const expiredSince = (f: ReportFinding) =>
    f.exemptionExpired !== undefined && !(Date.parse(f.exemptionExpired.expires ?? '') <= since);
  const before = new Set<string>();
  const beforeEntries: ReportDiffEntry[] = [];
  for (const f of previous.findings as readonly (ReportDiffEntry & { readonly exempted?: unknown })[]) {
    if (f.exempted || before.has(f.id)) continue;
    before.add(f.id);
    beforeEntries.push(f);
  }
  const stillThere = new Set<string>();
  const added: ReportDiffEntry[] = [];
  const newlyExempted: ReportDiffEntry[] = [];
  const exemptionExpired: ReportDiffEntry[] = [];
  for (const f of current.findings) {
    stillThere.add(f.id);
    if (f.exempted) {
      if (before.has(f.id)) newlyExempted.push(diffEntry(f));
    } else if (!before.has(f.id)) {
      (expiredSince(f) ? exemptionExpired : added).push(diffEntry(f));
    }
  }
  // One entry per id (a report lists each finding once; a hand-made one might not).
  return {
    new: dedupe(added),
    resolved: beforeEntries.filter((f) => !stillThere.has(f.id)).map(diffEntry),
    newlyExempted: dedupe(newlyExempted),
    exemptionExpired: dedupe(exemptionExpired),
  };
}

function dedupe(entries: ReportDiffEntry[]): ReportDiffEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
}
