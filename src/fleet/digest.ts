/**
 * What the fleet page keeps of one cluster's report, and the fleet-wide view built from those digests.
 * Pure: plain data in, plain data out (the clock is handed in).
 */
import type { Language } from '../engine/i18n.ts';
import { severityRank, type Severity } from '../engine/severity.ts';
import type { SeverityCounts } from '../report/model.ts';
import {
  FLEET_API_VERSION,
  FLEET_KIND,
  UNREADABLE,
  type FleetCluster,
  type FleetReport,
  type FleetRule,
  type FleetWorkload,
  type RuleCount,
} from './model.ts';
import { compareText } from '../shared/collate.ts';

/** The parts of a stored report the fleet reads (validated by read.ts before they get here). */
export interface ReportFacts {
  readonly rules: readonly { readonly id: string; readonly title: string; readonly severity: Severity }[];
  readonly findings: readonly {
    readonly ruleId: string;
    readonly severity: Severity;
    readonly workload: { readonly kind: string; readonly namespace?: string | null; readonly name: string };
    readonly exempted?: unknown;
  }[];
}

export interface ClusterDigest {
  /** Every rule with an unexempted finding, worst first. */
  readonly rules: readonly RuleCount[];
  /** Failing workloads by key: their ref, their failing rules and their worst severity. */
  readonly failing: ReadonlyMap<string, FailingWorkload>;
}

export interface FailingWorkload {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly rules: ReadonlySet<string>;
  readonly worst: Severity;
}

const byWorst = (a: RuleCount, b: RuleCount) =>
  severityRank(b.severity) - severityRank(a.severity) ||
  b.workloads - a.workloads ||
  b.findings - a.findings ||
  compareText(a.id, b.id);

/** Workloads are matched across clusters by kind, namespace and name. */
export function fleetWorkloadKey(w: { kind: string; namespace?: string | null; name: string }): string {
  return `${w.kind}\u0000${w.namespace ?? ''}\u0000${w.name}`;
}

export function digestReport(report: ReportFacts): ClusterDigest {
  const titles = new Map(report.rules.map((r) => [r.id, r]));
  const perRule = new Map<string, { findings: number; workloads: Set<string>; severity: Severity }>();
  const failing = new Map<
    string,
    { kind: string; namespace: string | null; name: string; rules: Set<string>; worst: Severity }
  >();
  for (const finding of report.findings) {
    if (finding.exempted) continue;
    const key = fleetWorkloadKey(finding.workload);
    let rule = perRule.get(finding.ruleId);
    if (!rule) {
      const declared = titles.get(finding.ruleId)?.severity ?? finding.severity;
      perRule.set(finding.ruleId, (rule = { findings: 0, workloads: new Set(), severity: declared }));
    }
    rule.findings++;
    rule.workloads.add(key);
    // A finding may be more severe than its rule (a severity override): the rule counts at its worst.
    if (severityRank(finding.severity) > severityRank(rule.severity)) rule.severity = finding.severity;
    let workload = failing.get(key);
    if (!workload) {
      const { kind, name } = finding.workload;
      const namespace = finding.workload.namespace ?? null;
      failing.set(key, (workload = { kind, namespace, name, rules: new Set(), worst: finding.severity }));
    }
    workload.rules.add(finding.ruleId);
    if (severityRank(finding.severity) > severityRank(workload.worst)) workload.worst = finding.severity;
  }
  const rules = [...perRule].map(([id, r]) => ({
    id,
    title: titles.get(id)?.title ?? id,
    severity: r.severity,
    findings: r.findings,
    workloads: r.workloads.size,
  }));
  return { rules: rules.sort(byWorst), failing };
}

const ZERO: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

export interface FleetInput {
  readonly now: Date;
  readonly lang: Language;
  readonly toolVersion: string;
  readonly staleAfterSeconds: number;
  /** One entry per target, in the order given; the digest is absent when the report was not read. */
  readonly clusters: readonly { readonly row: FleetCluster; readonly digest: ClusterDigest | null }[];
  /** How many rules and workloads the fleet-wide tables keep. */
  readonly limit?: number;
}

export function buildFleetReport(input: FleetInput): FleetReport {
  const limit = input.limit ?? 50;
  const read = input.clusters.filter((c) => c.row.scan !== null);
  const withDigest = input.clusters.filter(
    (c): c is { row: FleetCluster; digest: ClusterDigest } => c.digest !== null,
  );

  const rules = new Map<
    string,
    { id: string; title: string; severity: Severity; clusters: string[]; findings: number; workloads: number }
  >();
  for (const { row, digest } of withDigest) {
    for (const rule of digest.rules) {
      let entry = rules.get(rule.id);
      if (!entry) rules.set(rule.id, (entry = { ...rule, clusters: [], findings: 0, workloads: 0 }));
      entry.clusters.push(row.name);
      entry.findings += rule.findings;
      entry.workloads += rule.workloads;
      if (severityRank(rule.severity) > severityRank(entry.severity)) entry.severity = rule.severity;
    }
  }
  const fleetRules: FleetRule[] = [...rules.values()]
    .sort(
      (a, b) =>
        b.clusters.length - a.clusters.length ||
        severityRank(b.severity) - severityRank(a.severity) ||
        b.workloads - a.workloads ||
        compareText(a.id, b.id),
    )
    .slice(0, limit);

  const workloads = new Map<
    string,
    { ref: FailingWorkload; clusters: string[]; common: Set<string>; worst: Severity }
  >();
  for (const { row, digest } of withDigest) {
    for (const [key, failing] of digest.failing) {
      const entry = workloads.get(key);
      if (!entry) {
        workloads.set(key, {
          ref: failing,
          clusters: [row.name],
          common: new Set(failing.rules),
          worst: failing.worst,
        });
        continue;
      }
      entry.clusters.push(row.name);
      for (const rule of entry.common) if (!failing.rules.has(rule)) entry.common.delete(rule);
      if (severityRank(failing.worst) > severityRank(entry.worst)) entry.worst = failing.worst;
    }
  }
  const everywhereAt = withDigest.length;
  const fleetWorkloads: FleetWorkload[] = [...workloads.values()]
    .filter((w) => w.clusters.length > 1)
    .sort(
      (a, b) =>
        b.clusters.length - a.clusters.length ||
        severityRank(b.worst) - severityRank(a.worst) ||
        compareText(fleetWorkloadKey(a.ref), fleetWorkloadKey(b.ref)),
    )
    .slice(0, limit)
    .map((w) => ({
      kind: w.ref.kind,
      namespace: w.ref.namespace,
      name: w.ref.name,
      clusters: w.clusters,
      everywhere: w.clusters.length === everywhereAt,
      commonRules: [...w.common].sort(),
      worst: w.worst,
    }));

  const bySeverity = { ...ZERO };
  let workloadCount = 0;
  for (const { row } of read) {
    for (const severity of Object.keys(bySeverity) as (keyof SeverityCounts)[])
      bySeverity[severity] += row.scan!.bySeverity[severity];
    workloadCount += row.scan!.workloads;
  }
  const scores = read.map((c) => c.row.scan!.score).filter((s): s is number => s !== null);
  return {
    apiVersion: FLEET_API_VERSION,
    kind: FLEET_KIND,
    metadata: {
      generatedAt: input.now.toISOString(),
      lang: input.lang,
      tool: { name: 'kube-patrol', version: input.toolVersion },
      staleAfterSeconds: input.staleAfterSeconds,
    },
    summary: {
      clusters: input.clusters.length,
      read: read.length,
      unreadable: input.clusters.filter((c) => UNREADABLE.has(c.row.status)).length,
      stale: input.clusters.filter((c) => c.row.status === 'stale').length,
      score: scores.length === 0 ? null : Math.round(scores.reduce((sum, s) => sum + s, 0) / scores.length),
      workloads: workloadCount,
      bySeverity,
    },
    clusters: input.clusters.map((c) => c.row),
    rules: fleetRules,
    workloads: fleetWorkloads,
  };
}
