import type { Language } from '../engine/i18n.ts';
import type { Severity } from '../engine/severity.ts';
import type { SeverityCounts } from '../report/model.ts';

/**
 * The fleet report (`fleet.json`, docs/fleet.md): one row per cluster read from the reports its operator
 * stored, and what fails across clusters. Field names may grow; existing ones never change meaning.
 */
export const FLEET_API_VERSION = 'kube-patrol.io/v1alpha1';
export const FLEET_KIND = 'FleetReport';

/**
 * `ok`: the latest report was read and is fresh. `stale`: read, but older than the stale limit (the
 * operator stopped scanning or its scans fail). `unreachable`: no connection to the API server.
 * `forbidden`: the API server refused the credentials or the read (401/403). `no-report`: no report
 * ConfigMap (no operator, or another namespace or name). `invalid`: a ConfigMap was read but its content is
 * not a kube-patrol report. `config-error`: the context could not be used (missing, bad credentials).
 */
export const CLUSTER_STATUSES = [
  'ok',
  'stale',
  'unreachable',
  'forbidden',
  'no-report',
  'invalid',
  'config-error',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** The statuses where nothing of the cluster could be read: they make `fleet` exit 2. */
export const UNREADABLE: ReadonlySet<ClusterStatus> = new Set([
  'unreachable',
  'forbidden',
  'no-report',
  'invalid',
  'config-error',
]);

/** A cluster to read: a kubeconfig context, its display name, where its operator keeps the report. */
export interface FleetTarget {
  readonly context: string;
  readonly name: string;
  readonly namespace: string;
  readonly configMap: string;
}

export interface TrendPoint {
  readonly generatedAt: string;
  /** Null when that scan withheld its score. */
  readonly score: number | null;
  readonly findings: number;
}

export interface RuleCount {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Unexempted findings of the rule. */
  readonly findings: number;
  /** Workloads and objects with an unexempted finding of the rule. */
  readonly workloads: number;
}

export interface ClusterScan {
  readonly scanId: string;
  readonly generatedAt: string;
  /** Seconds between the scan and the fleet report. */
  readonly ageSeconds: number;
  /** Null when the scan withheld its score. */
  readonly score: number | null;
  readonly workloads: number;
  readonly findings: number;
  readonly exempted: number;
  readonly bySeverity: SeverityCounts;
  /** Errors the scan itself recorded (unreadable kinds, objects it could not inspect). */
  readonly errors: number;
}

export interface FleetCluster {
  readonly name: string;
  readonly context: string;
  readonly namespace: string;
  readonly configMap: string;
  readonly status: ClusterStatus;
  /** Why the status is not `ok`, or what of the report could not be read; null when all is well. */
  readonly problem: string | null;
  /** The summary was read but not the full report (not stored, refused, not a report): exit status 2. */
  readonly partial: boolean;
  readonly scan: ClusterScan | null;
  /** The stored history, oldest first (the latest scan last). */
  readonly trend: readonly TrendPoint[];
  /** The cluster's worst rules: most severe, then most widespread first. */
  readonly worstRules: readonly RuleCount[];
  /** The cluster's full report, relative to the fleet page; null when not written. */
  readonly report: { readonly html: string; readonly json: string } | null;
}

export interface FleetRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Names of the clusters where the rule has an unexempted finding. */
  readonly clusters: readonly string[];
  readonly findings: number;
  readonly workloads: number;
}

export interface FleetWorkload {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** Names of the clusters where this workload has an unexempted finding. */
  readonly clusters: readonly string[];
  /** Failing in every cluster whose report was read (and there are at least two). */
  readonly everywhere: boolean;
  /** The rules failing for it in every one of those clusters. */
  readonly commonRules: readonly string[];
  readonly worst: Severity;
}

export interface FleetReport {
  readonly apiVersion: typeof FLEET_API_VERSION;
  readonly kind: typeof FLEET_KIND;
  readonly metadata: {
    readonly generatedAt: string;
    readonly lang: Language;
    readonly tool: { readonly name: 'kube-patrol'; readonly version: string };
    /** A report older than this many seconds is `stale`. */
    readonly staleAfterSeconds: number;
  };
  readonly summary: {
    readonly clusters: number;
    /** Clusters whose latest report was read (`ok` or `stale`). */
    readonly read: number;
    readonly unreadable: number;
    readonly stale: number;
    /** Mean score of the clusters read; null when none was. */
    readonly score: number | null;
    readonly workloads: number;
    readonly bySeverity: SeverityCounts;
  };
  readonly clusters: readonly FleetCluster[];
  /** Rules failing in the most clusters first. */
  readonly rules: readonly FleetRule[];
  /** Workloads (kind, namespace, name) failing in more than one cluster, most clusters first. */
  readonly workloads: readonly FleetWorkload[];
}
