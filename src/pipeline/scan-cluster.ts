import { createInspector, type EngineError, type WorkloadResult } from '../engine/run.ts';
import { createFacts, NO_FACTS, subjectKindOfObject } from '../engine/subject.ts';
import type { KubeApi } from '../kube/client.ts';
import { createReportAssembler } from '../report/build.ts';
import type { DiffBase } from '../report/diff.ts';
import type { InspectionReport, ReportCoverage, ReportError } from '../report/model.ts';
import {
  describeUnreadable,
  WORKLOAD_RESOURCES,
  listClusterWorkloadEvents,
  type ClusterListOptions,
  type ClusterListSummary,
  type ClusterScope,
  type UnreadableResource,
} from '../sources/cluster.ts';
import { listClusterObjects } from '../sources/cluster-objects.ts';
import { toolVersion } from '../version.ts';
import type { ScanSettings } from './settings.ts';
import { inspectObjectSubjects, objectKindsToRead } from './subjects.ts';
import { createPodSecurityPass, inspectedFirst, wantsPodSecurity } from './pod-security.ts';
import { namespaceInScope } from '../sources/cluster.ts';
import { monotonicMs } from '../shared/clock.ts';

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
  readonly stats: ClusterListSummary['stats'] & { collapsed: number };
}

/**
 * What a listing could see. Partial when a workload kind was refused anywhere in scope, or an object kind
 * a rule asked for: a kind missing from the report must not read as a kind without findings. (A refused
 * Namespace list for resolving namespace globs alone is not: the kinds are then listed across the cluster
 * and filtered here.)
 */
export function coverageOf(
  listing: Pick<ClusterListSummary, 'unreadable' | 'stats' | 'namespacesSeen' | 'kindsListed'>,
  objectsUnreadable: readonly UnreadableResource[] = [],
): ReportCoverage {
  const kinds = new Set<string>(WORKLOAD_RESOURCES.map((r) => r.kind));
  const denied = [...objectsUnreadable, ...listing.unreadable].map((u) => ({
    kind: u.kind,
    namespace: u.namespace,
    status: u.status,
  }));
  return {
    partial: objectsUnreadable.length > 0 || listing.unreadable.some((u) => kinds.has(u.kind)),
    kindsListed: WORKLOAD_RESOURCES.map((r) => r.kind).filter((k) => listing.kindsListed.has(k)),
    denied,
    workloadsInspected: listing.stats.objects,
    namespacesSeen: listing.namespacesSeen.size,
  };
}

/** No workload kind could be listed anywhere: the scan saw nothing it could vouch for, and is a failure. */
export function isBlind(coverage: ReportCoverage): boolean {
  return coverage.kindsListed.length === 0;
}

/**
 * Lists the cluster's workloads, runs the rules and builds the report. Rejects when the listing fails.
 *
 * One way through: the source yields workloads, the engine inspects each as it arrives (only results are
 * kept, never the cluster's objects), the report is assembled from the results that the listing did not
 * retract, and each result is let go as the report takes its findings.
 */
export async function scanCluster(
  api: KubeApi,
  settings: ScanSettings,
  options: ClusterScanOptions = {},
): Promise<ClusterScan> {
  const clock = options.clock ?? (() => new Date());
  const started = monotonicMs();
  const scope = options.scope ?? {};
  const list = options.list ?? {};
  // Objects that rules read as facts or inspect as subjects come first: every workload is inspected
  // knowing them. None are read when no active rule asks for them.
  const kinds = objectKindsToRead(settings);
  const podSecurity = wantsPodSecurity(kinds) ? createPodSecurityPass(settings) : undefined;
  const cluster = kinds.size > 0 ? await listClusterObjects(api, kinds, scope, list) : undefined;
  const facts = cluster ? createFacts(cluster.objects, cluster.known) : NO_FACTS;
  const objectErrors: EngineError[] = [];
  // A scan of some namespaces reports on what is in them: cluster-wide RBAC objects (ClusterRoles and
  // ClusterRoleBindings) stay facts (a workload's powers through them are still reported on the workload),
  // but are subjects only of a scan of every namespace. Nodes are asked for explicitly (--nodes).
  const namespaceScoped = (scope.namespaces ?? []).length > 0;
  const subjects = cluster
    ? cluster.objects.filter(
        (o) => !(namespaceScoped && o.namespace === null && subjectKindOfObject(o.kind) === 'rbac'),
      )
    : [];
  const objectResults = inspectObjectSubjects(
    inspectedFirst(subjects, podSecurity),
    settings,
    facts,
    objectErrors,
  );
  const inspector = createInspector(settings.engine, facts);
  const results = new Map<
    string,
    { result: WorkloadResult; errors: EngineError[]; pss?: { baseline: boolean; restricted: boolean } }
  >();
  let summary: ClusterListSummary | undefined;
  for await (const event of listClusterWorkloadEvents(api, scope, list)) {
    if (event.type === 'workload') {
      const errors: EngineError[] = [];
      const result = inspector(event.workload, errors);
      const pss = podSecurity?.verdictOf(event.workload, result);
      results.set(event.key, pss ? { result, errors, pss } : { result, errors });
    } else if (event.type === 'retract') {
      for (const key of event.keys) results.delete(key);
    } else {
      summary = event.summary;
    }
  }
  const listing = summary as ClusterListSummary;
  const assembler = createReportAssembler({
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'cluster',
    pssVersion: settings.engine.version,
    toolVersion: toolVersion(),
    ...(options.cluster ? { cluster: options.cluster } : {}),
  });
  // Errors of the workloads kept only (an owned object retracted at the end was inspected, not reported).
  const engineErrors: EngineError[] = [...objectErrors];
  for (const result of objectResults) assembler.add(result);
  for (const [key, { result, errors, pss }] of results) {
    if (pss) podSecurity?.count(result.workload, pss);
    assembler.add(result);
    engineErrors.push(...errors);
    results.delete(key);
  }
  // Namespaces come last: their rules read the tally of every workload kept.
  const namespaces = podSecurity?.finish(
    cluster?.objects ?? [],
    cluster?.known ?? [],
    (ns) => namespaceInScope(scope, ns),
    engineErrors,
  );
  for (const result of namespaces?.results ?? []) assembler.add(result);
  const unreadable = [...(cluster?.unreadable ?? []), ...listing.unreadable];
  const errors: ReportError[] = [
    ...unreadable.map(describeUnreadable),
    ...(cluster?.errors ?? []),
    ...listing.extraction.errors,
    ...engineErrors,
  ];
  const report = assembler.finish({
    coverage: coverageOf(listing, cluster?.unreadable),
    errors,
    skipped: listing.extraction.skipped,
    generatedAt: clock(),
    durationMs: monotonicMs() - started,
    ...(namespaces ? { podSecurity: namespaces.advice } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  const collapsed = [...listing.collapsed.values()].reduce((a, b) => a + b, 0);
  const stats = {
    ...listing.stats,
    requests: listing.stats.requests + (cluster?.stats.requests ?? 0),
    restarts: listing.stats.restarts + (cluster?.stats.restarts ?? 0),
    collapsed,
  };
  return { report, unreadable, stats };
}
