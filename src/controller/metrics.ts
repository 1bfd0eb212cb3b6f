import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InspectionReport } from '../report/model.ts';

/** The operator's Prometheus metrics, in a registry of its own (no global state shared with tests). */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly findingsBySeverity = new Gauge({
    name: 'kube_patrol_findings',
    help: 'Unexempted findings of the last successful scan, by severity',
    labelNames: ['severity'] as const,
    registers: [this.registry],
  });
  readonly findingsByRule = new Gauge({
    name: 'kube_patrol_rule_findings',
    help: 'Unexempted findings of the last successful scan, by rule',
    labelNames: ['rule', 'severity'] as const,
    registers: [this.registry],
  });
  readonly findingsByNamespace = new Gauge({
    name: 'kube_patrol_namespace_findings',
    help: 'Unexempted findings of the last successful scan, by namespace',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });
  readonly exempted = new Gauge({
    name: 'kube_patrol_exempted_findings',
    help: 'Exempted findings of the last successful scan',
    registers: [this.registry],
  });
  readonly workloads = new Gauge({
    name: 'kube_patrol_workloads_scanned',
    help: 'Workloads inspected by the last successful scan',
    registers: [this.registry],
  });
  readonly score = new Gauge({
    name: 'kube_patrol_score',
    help: 'Overall score (0-100) of the last successful scan',
    registers: [this.registry],
  });
  readonly unreadable = new Gauge({
    name: 'kube_patrol_unreadable_kinds',
    help: 'Kinds (per namespace) the last scan was forbidden to list',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'kube_patrol_scan_duration_seconds',
    help: 'Duration of scans (list, inspect, write)',
    labelNames: ['result'] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'kube_patrol_last_successful_scan_timestamp_seconds',
    help: 'Unix time of the last scan whose report was written',
    registers: [this.registry],
  });
  readonly lastScanOk = new Gauge({
    name: 'kube_patrol_last_scan_success',
    help: '1 when the last scan wrote its report, 0 when it failed',
    registers: [this.registry],
  });
  readonly scans = new Counter({
    name: 'kube_patrol_scans_total',
    help: 'Scans run, by result',
    labelNames: ['result', 'trigger'] as const,
    registers: [this.registry],
  });
  readonly scanErrors = new Counter({
    name: 'kube_patrol_scan_errors_total',
    help: 'Failed scans, by the stage that failed',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  readonly writeConflicts = new Counter({
    name: 'kube_patrol_report_write_conflicts_total',
    help: '409 Conflicts retried while switching the report ConfigMap',
    registers: [this.registry],
  });
  readonly scanPartial = new Gauge({
    name: 'kube_patrol_scan_partial',
    help: '1 when the last scan could not list some workload kind (its report is marked partial), else 0',
    registers: [this.registry],
  });
  readonly previousRejected = new Counter({
    name: 'kube_patrol_previous_report_rejected_total',
    help: 'Stored reports not used for the diff, by problem (schema, limit, integrity, corrupt, timeout, digest, read)',
    labelNames: ['problem'] as const,
    registers: [this.registry],
  });
  readonly leaseLost = new Counter({
    name: 'kube_patrol_lease_lost_total',
    help: 'Times this replica stopped leading because it could not renew within the renew deadline',
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'kube_patrol_leader',
    help: '1 while this replica holds the lease',
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'kube_patrol_' });
  }

  recordReport(report: InspectionReport, unreadable: number): void {
    this.findingsBySeverity.reset();
    this.findingsByRule.reset();
    this.findingsByNamespace.reset();
    for (const [severity, count] of Object.entries(report.summary.bySeverity))
      this.findingsBySeverity.set({ severity }, count);
    const byRule = new Map<string, { severity: string; count: number }>();
    const byNamespace = new Map<string, number>();
    for (const finding of report.findings) {
      if (finding.exempted) continue;
      const rule = byRule.get(finding.ruleId) ?? { severity: finding.severity, count: 0 };
      rule.count++;
      byRule.set(finding.ruleId, rule);
      const namespace = finding.workload.namespace ?? '';
      byNamespace.set(namespace, (byNamespace.get(namespace) ?? 0) + 1);
    }
    // Severity can differ per finding of one rule (e.g. host-path); label with the rule's worst seen first.
    for (const [rule, { severity, count }] of byRule) this.findingsByRule.set({ rule, severity }, count);
    for (const [namespace, count] of byNamespace) this.findingsByNamespace.set({ namespace }, count);
    this.exempted.set(report.summary.exempted);
    this.workloads.set(report.summary.workloads);
    // NaN when withheld (a partial or empty scan): no number an alert could read as "all is well".
    this.score.set(report.summary.score ?? Number.NaN);
    this.unreadable.set(unreadable);
  }
}
