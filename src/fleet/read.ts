/**
 * How the fleet reads one cluster's stored report: through the validated, bounded reader of stored reports
 * (report/stored.ts, ADR 0009). A ConfigMap is data anyone with write access to the operator's namespace
 * may have changed: nothing is computed or rendered from it before that reader checked it.
 */
import { isApiStatus, KubeConnectionError, type KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import {
  ReportNotFoundError,
  StoredReportError,
  type HistoryEntry,
  type StoredSummary,
} from '../report/stored.ts';
import { readStoredReport } from '../sinks/configmap.ts';

/** A stored report as the fleet sees it. */
export interface FleetStoredReport {
  readonly summary: StoredSummary;
  readonly history: readonly HistoryEntry[];
  /**
   * The latest report, validated; or why it could not be read (not stored, parts refused, over the
   * reader's limits, not a report). The summary and history stay usable either way.
   */
  readonly report: { readonly whole: InspectionReport } | { readonly problem: string };
}

/** Stored data that is not what kube-patrol writes (the summary or the history). */
export class InvalidStoredReportError extends Error {
  override readonly name = 'InvalidStoredReportError';
}

/**
 * The one adapter between the fleet and the report storage: reads the latest report of
 * `namespace/name`. Throws ReportNotFoundError (no such ConfigMap), the client's errors for the ConfigMap
 * itself (403, connection), StoredReportError for a read that timed out, and InvalidStoredReportError for
 * a summary or history that is not a kube-patrol report's; a report.json that cannot be used is returned
 * as a problem.
 */
export async function readFleetReport(
  api: KubeApi,
  namespace: string,
  name: string,
): Promise<FleetStoredReport> {
  let stored;
  try {
    stored = await readStoredReport(api, namespace, name);
  } catch (error) {
    if (error instanceof StoredReportError && error.problem !== 'timeout' && error.problem !== 'aborted')
      throw new InvalidStoredReportError(error.message, { cause: error });
    throw error;
  }
  const { summary, history } = stored;
  const where = `ConfigMap ${namespace}/${stored.configMap}`;
  if (!summary.files.includes('report.json'))
    return {
      summary,
      history,
      report: { problem: `${where} keeps no report.json (formats: ${summary.files.join(', ') || 'none'})` },
    };
  try {
    return { summary, history, report: { whole: await stored.report() } };
  } catch (error) {
    // The summary was read: a report that cannot be used leaves a row with its score, counts and trend.
    if (
      error instanceof StoredReportError ||
      error instanceof ReportNotFoundError ||
      error instanceof KubeConnectionError ||
      isApiStatus(error, 401, 403, 404)
    )
      return {
        summary,
        history,
        // The reader's own errors name the ConfigMap and the file; the client's name the request.
        report: {
          problem:
            error instanceof StoredReportError || error instanceof ReportNotFoundError
              ? error.message
              : `${where} report.json: ${error.message}`,
        },
      };
    throw error;
  }
}
