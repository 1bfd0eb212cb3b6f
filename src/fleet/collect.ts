/**
 * Reads every target's stored report, a bounded number of clusters at a time, and turns each into a row
 * of the fleet report. A cluster that cannot be read is a row saying why, never an exception: the rest of
 * the fleet is still read.
 */
import { isApiStatus, KubeApiError, KubeConnectionError, type KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import { ReportNotFoundError, StoredReportError } from '../report/stored.ts';
import { digestReport, type ClusterDigest } from './digest.ts';
import type { ClusterStatus, FleetCluster, FleetTarget } from './model.ts';
import { InvalidStoredReportError, readFleetReport } from './read.ts';

export interface CollectOptions {
  readonly now: Date;
  readonly staleAfterSeconds: number;
  /** Clusters read at once (each holds one connection while it is read). */
  readonly concurrency: number;
  /** How many worst rules each row keeps. */
  readonly worstRules?: number;
  /** A client for a target's context; throws when the context cannot be used. */
  connect(target: FleetTarget): KubeApi & { close(): void };
  /**
   * Writes the cluster's full report beside the fleet page; returns its paths relative to the page.
   * Absent: no files (stdout output). Called while the parsed report is alive, then the report is let go.
   */
  writeReport?(
    target: FleetTarget,
    index: number,
    report: InspectionReport,
  ): Promise<{ html: string; json: string }>;
}

export interface CollectedCluster {
  readonly row: FleetCluster;
  readonly digest: ClusterDigest | null;
}

function classify(error: unknown): { status: ClusterStatus; problem: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ReportNotFoundError) return { status: 'no-report', problem: message };
  if (error instanceof InvalidStoredReportError) return { status: 'invalid', problem: message };
  if (isApiStatus(error, 401, 403)) return { status: 'forbidden', problem: message };
  if (error instanceof KubeConnectionError) return { status: 'unreachable', problem: message };
  // The reader's deadline passed: the API server answers too slowly to be read.
  if (error instanceof StoredReportError) return { status: 'unreachable', problem: message };
  if (error instanceof KubeApiError) return { status: 'unreachable', problem: message };
  return { status: 'config-error', problem: message };
}

async function collectOne(
  target: FleetTarget,
  index: number,
  options: CollectOptions,
): Promise<CollectedCluster> {
  const base = {
    name: target.name,
    context: target.context,
    namespace: target.namespace,
    configMap: target.configMap,
  };
  const failed = (error: unknown): CollectedCluster => ({
    row: { ...base, ...classify(error), partial: false, scan: null, trend: [], worstRules: [], report: null },
    digest: null,
  });
  let client: (KubeApi & { close(): void }) | undefined;
  try {
    client = options.connect(target);
    const stored = await readFleetReport(client, target.namespace, target.configMap);
    const { summary } = stored;
    const ageSeconds = Math.max(
      0,
      Math.round((options.now.getTime() - Date.parse(summary.generatedAt)) / 1000),
    );
    const stale = ageSeconds > options.staleAfterSeconds;
    const problems: string[] = [];
    let partial = false;
    let digest: ClusterDigest | null = null;
    let report: FleetCluster['report'] = null;
    if ('problem' in stored.report) {
      problems.push(stored.report.problem);
      partial = true;
    } else {
      digest = digestReport(stored.report.whole);
      if (options.writeReport) {
        try {
          report = await options.writeReport(target, index, stored.report.whole);
        } catch (error) {
          problems.push(`full report not written: ${(error as Error).message}`);
          partial = true;
        }
      }
    }
    if (stale) problems.unshift(`the latest report is ${Math.round(ageSeconds / 3600)} h old`);
    // history.json is newest first; a trend reads left to right.
    const trend = stored.history
      .map((e) => ({ generatedAt: e.generatedAt, score: e.score, findings: e.findings }))
      .reverse();
    return {
      row: {
        ...base,
        status: stale ? 'stale' : 'ok',
        partial,
        problem: problems.length > 0 ? problems.join('; ') : null,
        scan: {
          scanId: summary.scanId,
          generatedAt: summary.generatedAt,
          ageSeconds,
          score: summary.score,
          workloads: summary.workloads,
          findings: summary.findings,
          exempted: summary.exempted,
          bySeverity: summary.bySeverity,
          errors: summary.errors,
        },
        trend:
          trend.length > 0
            ? trend
            : [{ generatedAt: summary.generatedAt, score: summary.score, findings: summary.findings }],
        worstRules: digest ? digest.rules.slice(0, options.worstRules ?? 5) : [],
        report,
      },
      digest,
    };
  } catch (error) {
    return failed(error);
  } finally {
    client?.close();
  }
}

/** Rows in the order of `targets`; at most `concurrency` clusters are read at once. */
export async function collectFleet(
  targets: readonly FleetTarget[],
  options: CollectOptions,
): Promise<CollectedCluster[]> {
  const results: CollectedCluster[] = new Array<CollectedCluster>(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      results[index] = await collectOne(targets[index] as FleetTarget, index, options);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, targets.length)) }, worker),
  );
  return results;
}

/** Whether a row means something could not be read (the command then exits 2). */
export function incomplete(row: FleetCluster): boolean {
  return row.scan === null || row.partial;
}
