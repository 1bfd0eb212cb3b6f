import { createInspector, type EngineError, type WorkloadResult } from '../engine/run.ts';
import type { KubeApi } from '../kube/client.ts';
import { buildReport, reportFindingBuilder, type DiffBase } from '../report/build.ts';
import type { InspectionReport, ReportError } from '../report/model.ts';
import {
  describeUnreadable,
  inspectClusterWorkloads,
  type ClusterInspection,
  type ClusterListOptions,
  type ClusterScope,
  type UnreadableResource,
} from '../sources/cluster.ts';
import { toolVersion } from '../version.ts';
import type { ScanSettings } from './settings.ts';

export interface ClusterScanOptions {
  readonly scope?: ClusterScope;
  readonly list?: ClusterListOptions;
  /** The kubeconfig context or `in-cluster`, for the report's metadata. */
  readonly cluster?: string;
  /** The previous report (or what a diff needs of it), for the diff of new and resolved findings. */
  readonly previous?: InspectionReport | DiffBase;
  readonly clock?: () => Date;
}

export interface ClusterScan {
  readonly report: InspectionReport;
  /** Kinds (and namespaces) the credentials could not list; also in `report.errors`. */
  readonly unreadable: readonly UnreadableResource[];
  readonly stats: ClusterInspection<WorkloadResult>['stats'] & { collapsed: number };
}

/** Lists the cluster's workloads, runs the rules and builds the report. Rejects when the listing fails. */
export async function scanCluster(
  api: KubeApi,
  settings: ScanSettings,
  options: ClusterScanOptions = {},
): Promise<ClusterScan> {
  const clock = options.clock ?? (() => new Date());
  const started = performance.now();
  const inspector = createInspector(settings.engine);
  const engineErrors: EngineError[] = [];
  // Each workload is inspected as its page arrives: only results are kept, never the cluster's objects.
  // Findings become report findings right away (buildReport keeps them as they are): the engine's copy of
  // each finding is garbage before the next workload, and the report owns the only one.
  const toReport = reportFindingBuilder(settings.activeRules, settings.lang);
  const listing = await inspectClusterWorkloads(api, options.scope ?? {}, options.list ?? {}, (workload) => {
    const errors: EngineError[] = [];
    const result = inspector(workload, errors);
    return { result: { ...result, findings: result.findings.map(toReport) }, errors };
  });
  const results: WorkloadResult[] = listing.results.map((r) => r.result);
  // Errors of the workloads kept only (an owned object collapsed at the end was inspected, not reported).
  for (const r of listing.results) engineErrors.push(...r.errors);
  const errors: ReportError[] = [
    ...listing.unreadable.map(describeUnreadable),
    ...listing.extraction.errors,
    ...engineErrors,
  ];
  const report = buildReport({
    results,
    errors,
    skipped: listing.extraction.skipped,
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'cluster',
    pssVersion: settings.engine.version,
    generatedAt: clock(),
    toolVersion: toolVersion(),
    ...(options.cluster ? { cluster: options.cluster } : {}),
    durationMs: performance.now() - started,
    ...(options.previous ? { previous: options.previous } : {}),
  });
  const collapsed = [...listing.collapsed.values()].reduce((a, b) => a + b, 0);
  return { report, unreadable: listing.unreadable, stats: { ...listing.stats, collapsed } };
}
