import type { Finding } from './finding.ts';
import { SEVERITIES, severityRank, type Severity } from './severity.ts';

/**
 * Points a workload loses for a failing rule, by the worst severity that rule found in it.
 * Documented in docs/scoring.md; change both together.
 */
export const SEVERITY_PENALTY: Readonly<Record<Severity, number>> = {
  critical: 40,
  high: 20,
  medium: 8,
  low: 3,
  info: 0,
};

/**
 * Points a workload loses: the penalty of each failing rule, counted once per rule at its worst severity
 * (three containers with the same problem are one problem to fix). Exempted findings cost nothing.
 * Unlike the score it has no floor, so it moves with every fix even on a workload already at 0.
 */
export function workloadPenalty(findings: readonly Finding[]): number {
  const worst = new Map<string, Severity>();
  for (const finding of findings) {
    if (finding.exempted) continue;
    const seen = worst.get(finding.ruleId);
    if (!seen || severityRank(finding.severity) > severityRank(seen))
      worst.set(finding.ruleId, finding.severity);
  }
  let penalty = 0;
  for (const severity of worst.values()) penalty += SEVERITY_PENALTY[severity];
  return penalty;
}

/** Workload score: 100 minus its penalty (workloadPenalty), floored at 0. */
export function workloadScore(findings: readonly Finding[]): number {
  return Math.max(0, 100 - workloadPenalty(findings));
}

/** Overall score: the mean of the workload scores, rounded; 100 when there is nothing to inspect. */
export function overallScore(workloadScores: readonly number[]): number {
  if (workloadScores.length === 0) return 100;
  return Math.round(workloadScores.reduce((a, b) => a + b, 0) / workloadScores.length);
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) if (!finding.exempted) counts[finding.severity]++;
  return counts;
}
