import { severityRank } from '../engine/severity.ts';
import type { WorkloadRef } from '../workloads/model.ts';
import type { ReportFinding } from './model.ts';
import { compareText } from '../shared/collate.ts';

/**
 * Dense ranks of strings in compareText order (strings that compare equal share a rank), so a sort of
 * many findings compares small integers instead of comparing strings on every comparison.
 */
function localeRanks(values: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(values)].sort(compareText);
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((value, i) => {
    if (i > 0 && compareText(sorted[i - 1]!, value) !== 0) rank++;
    ranks.set(value, rank);
  });
  return ranks;
}

function compareWorkloads(a: WorkloadRef, b: WorkloadRef): number {
  return (
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.kind, b.kind) ||
    compareText(a.name, b.name)
  );
}

/**
 * Sorts by severity (most severe first), namespace, kind, name, rule and path, each in compareText
 * order; stable, so equal findings keep the engine's order. The order is resolved once per distinct
 * workload, rule and path; each finding then gets one integer key, and keys are sorted natively.
 */
export function sortFindings(findings: ReportFinding[]): ReportFinding[] {
  const count = findings.length;
  // Findings of one workload share its WorkloadRef object: rank the distinct objects.
  const refs = [...new Set(findings.map((f) => f.workload))].sort(compareWorkloads);
  const workloadRank = new Map<WorkloadRef, number>();
  refs.forEach((ref, i) =>
    workloadRank.set(
      ref,
      i > 0 && compareWorkloads(refs[i - 1] as WorkloadRef, ref) === 0
        ? (workloadRank.get(refs[i - 1] as WorkloadRef) as number)
        : i,
    ),
  );
  const rules = localeRanks(findings.map((f) => f.ruleId));
  const paths = localeRanks(findings.map((f) => f.path));
  const ruleSpan = rules.size + 1;
  const pathSpan = paths.size + 1;
  const workloadSpan = refs.length + 1;
  const keyOf = (f: ReportFinding): number =>
    (((5 - severityRank(f.severity)) * workloadSpan + (workloadRank.get(f.workload) as number)) * ruleSpan +
      (rules.get(f.ruleId) as number)) *
      pathSpan +
    (paths.get(f.path) as number);
  if (8 * workloadSpan * ruleSpan * pathSpan * (count + 1) < Number.MAX_SAFE_INTEGER) {
    // key * count + index is exact: a native numeric sort of one Float64Array, the index as tie-break.
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = keyOf(findings[i] as ReportFinding) * count + i;
    packed.sort();
    return Array.from(packed, (value) => findings[value % count] as ReportFinding);
  }
  // Too many distinct values to pack: compare the ranks one by one.
  const order = findings.map((_, i) => i);
  order.sort((a, b) => {
    const x = findings[a] as ReportFinding;
    const y = findings[b] as ReportFinding;
    return (
      severityRank(y.severity) - severityRank(x.severity) ||
      (workloadRank.get(x.workload) as number) - (workloadRank.get(y.workload) as number) ||
      (rules.get(x.ruleId) as number) - (rules.get(y.ruleId) as number) ||
      (paths.get(x.path) as number) - (paths.get(y.path) as number) ||
      a - b
    );
  });
  return order.map((i) => findings[i] as ReportFinding);
}
