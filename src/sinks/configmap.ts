import { randomBytes } from 'node:crypto';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import {
  HISTORY_KEY,
  openStoredReport,
  parseStoredHistory,
  ReportNotFoundError,
  SUMMARY_KEY,
  type Storage,
  type HistoryEntry,
  type StoredConfigMap,
  type StoredReadLimits,
  type StoredReport,
  type StoredSummary,
} from '../report/stored.ts';
import {
  encodeReport,
  payloadBytes,
  type ConfigMapPayload,
  type EncodedReport,
  type FileSource,
} from './configmap-encoding.ts';

export const APP_LABEL = 'app.kubernetes.io/name';
export const APP_NAME = 'kube-patrol';
export const REPORT_LABEL = 'kube-patrol.io/report';
export const SCAN_LABEL = 'kube-patrol.io/scan-id';
export const ROLE_LABEL = 'kube-patrol.io/role';

export { ReportNotFoundError, type HistoryEntry, type StoredReport, type StoredSummary };

export interface ConfigMapSinkOptions {
  readonly namespace: string;
  /** The latest report's ConfigMap; history and parts are `<name>-<scan id>[-part-N]`. */
  readonly name: string;
  readonly history: number;
  readonly maxConfigMapBytes: number;
  /** Retries of the main ConfigMap update after a 409 Conflict. */
  readonly conflictRetries?: number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface WriteResult {
  readonly scanId: string;
  readonly storage: Storage;
  readonly configMaps: readonly string[];
  readonly conflicts: number;
  readonly history: readonly HistoryEntry[];
}

interface ConfigMap extends Partial<ConfigMapPayload> {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
  };
}

const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const cmPath = (namespace: string, name?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}`;

/** `20260314-101500-a1b2`: sortable, unique enough, a valid name suffix. */
export function newScanId(generatedAt: string): string {
  const stamp = generatedAt
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace('Z', '')
    .toLowerCase();
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function summarize(
  report: InspectionReport,
  scanId: string,
  storage: Storage,
  files: StoredSummary['files'],
): StoredSummary {
  const diff = report.diff;
  return {
    scanId,
    generatedAt: report.metadata.generatedAt,
    ...(report.metadata.cluster ? { cluster: report.metadata.cluster } : {}),
    score: report.summary.score,
    ...(report.summary.scoreWithheld ? { scoreWithheld: report.summary.scoreWithheld } : {}),
    ...(report.coverage?.partial ? { partial: true } : {}),
    workloads: report.summary.workloads,
    findings: report.summary.findings,
    exempted: report.summary.exempted,
    bySeverity: report.summary.bySeverity,
    errors: report.errors.length,
    ...(report.metadata.durationMs === undefined ? {} : { durationMs: report.metadata.durationMs }),
    ...(diff
      ? {
          diff: {
            since: diff.since,
            new: diff.new.length,
            resolved: diff.resolved.length,
            newCritical: diff.new.filter((f) => f.severity === 'critical').length,
          },
        }
      : {}),
    storage,
    files,
  };
}

/**
 * Writes reports into ConfigMaps so that a failure at any point leaves the previous report readable:
 * the scan's own ConfigMaps (parts, then the history copy) are created first, and the main ConfigMap —
 * the pointer readers start from — is switched last, with optimistic concurrency (resourceVersion) and a
 * retry on 409 Conflict. Old history beyond the limit is deleted after the switch.
 */
export class ConfigMapReportSink {
  private readonly api: KubeApi;
  private readonly options: ConfigMapSinkOptions;

  constructor(api: KubeApi, options: ConfigMapSinkOptions) {
    this.api = api;
    this.options = options;
  }

  private labels(scanId: string, role: 'latest' | 'history' | 'part'): Record<string, string> {
    return {
      [APP_LABEL]: APP_NAME,
      'app.kubernetes.io/component': 'report',
      [REPORT_LABEL]: this.options.name,
      [SCAN_LABEL]: scanId,
      [ROLE_LABEL]: role,
    };
  }

  private body(
    name: string,
    payload: ConfigMapPayload,
    labels: Record<string, string>,
    resourceVersion?: string,
  ): ConfigMap {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: this.options.namespace,
        labels,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      data: payload.data,
      ...(Object.keys(payload.binaryData).length > 0 ? { binaryData: payload.binaryData } : {}),
    };
  }

  async write(
    report: InspectionReport,
    files: Readonly<Record<string, FileSource>>,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const { namespace, name } = this.options;
    const scanId = newScanId(report.metadata.generatedAt);
    const historyName = `${name}-${scanId}`;
    const fileKeys = Object.keys(files) as StoredSummary['files'][number][];
    // The history index grows the main ConfigMap: keep room for it (about 300 bytes an entry).
    const reserve = 512 + this.options.history * 400;
    const summary = (storage: Storage) =>
      JSON.stringify(summarize(report, scanId, storage, fileKeys), null, 2);
    // Drafted with the longest storage name; the reserve covers the rest of what the final summary changes.
    const draft = await encodeReport(
      summary('brotli'),
      files,
      this.options.maxConfigMapBytes,
      (i) => `${historyName}-part-${i}`,
      reserve,
    );
    // The summary names the storage, known only now; the reserve covers the few bytes it changes.
    const encoded: EncodedReport = {
      ...draft,
      main: { ...draft.main, data: { ...draft.main.data, [SUMMARY_KEY]: summary(draft.storage) } },
    };
    const created: string[] = [];
    const opts = signal ? { signal } : {};
    try {
      for (const [partName, payload] of encoded.parts) {
        await this.api.request('POST', cmPath(namespace), {
          body: this.body(partName, payload, this.labels(scanId, 'part')),
          ...opts,
        });
        created.push(partName);
      }
      await this.api.request('POST', cmPath(namespace), {
        body: this.body(historyName, encoded.main, this.labels(scanId, 'history')),
        ...opts,
      });
      created.push(historyName);
      const entry: HistoryEntry = {
        scanId,
        generatedAt: report.metadata.generatedAt,
        configMap: historyName,
        score: report.summary.score,
        findings: report.summary.findings,
        bySeverity: report.summary.bySeverity,
        ...(report.diff ? { new: report.diff.new.length, resolved: report.diff.resolved.length } : {}),
      };
      const { history, dropped, conflicts } = await this.switchLatest(scanId, encoded, entry, signal);
      await this.prune(dropped, history);
      return { scanId, storage: encoded.storage, configMaps: [name, ...created], conflicts, history };
    } catch (error) {
      // The main ConfigMap was not switched (or the switch itself failed): remove what this write made.
      for (const orphan of created.reverse()) {
        await this.api.request('DELETE', cmPath(namespace, orphan)).catch(() => undefined);
      }
      throw error;
    }
  }

  private async switchLatest(
    scanId: string,
    encoded: EncodedReport,
    entry: HistoryEntry,
    signal?: AbortSignal,
  ): Promise<{ history: HistoryEntry[]; dropped: HistoryEntry[]; conflicts: number }> {
    const { namespace, name } = this.options;
    const retries = this.options.conflictRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason as Error;
      let current: ConfigMap | undefined;
      try {
        current = await this.api.request<ConfigMap>('GET', cmPath(namespace, name));
      } catch (error) {
        if (!isApiStatus(error, 404)) throw error;
      }
      // A history that is not what this sink writes is dropped entry by entry, and rewritten here.
      const previous = parseStoredHistory(current?.data?.[HISTORY_KEY], name).entries;
      const all = [entry, ...previous.filter((e) => e.scanId !== scanId)];
      const history = all.slice(0, this.options.history);
      const dropped = all.slice(this.options.history);
      const payload: ConfigMapPayload = {
        data: { ...encoded.main.data, [HISTORY_KEY]: JSON.stringify(history) },
        binaryData: encoded.main.binaryData,
      };
      if (payloadBytes(payload) > this.options.maxConfigMapBytes)
        throw new Error(
          `ConfigMap ${name} would hold ${payloadBytes(payload)} bytes, over the limit of ${this.options.maxConfigMapBytes}`,
        );
      const body = this.body(name, payload, this.labels(scanId, 'latest'), current?.metadata.resourceVersion);
      try {
        if (current)
          await this.api.request('PUT', cmPath(namespace, name), { body, ...(signal ? { signal } : {}) });
        else await this.api.request('POST', cmPath(namespace), { body, ...(signal ? { signal } : {}) });
        return { history, dropped, conflicts: attempt };
      } catch (error) {
        // 409: someone changed it since we read it (or created it first): read again and redo the merge.
        if (!isApiStatus(error, 409) || attempt >= retries) throw error;
        this.options.log?.('report ConfigMap changed while writing; retrying', {
          configMap: name,
          attempt: attempt + 1,
        });
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt + Math.random() * 50));
      }
    }
  }

  /** Deletes reports that fell out of the history, and leftovers of writes that never switched. */
  private async prune(dropped: readonly HistoryEntry[], kept: readonly HistoryEntry[]): Promise<void> {
    const { namespace, name } = this.options;
    const keep = new Set(kept.map((e) => e.scanId));
    const selector = `${APP_LABEL}=${APP_NAME},${REPORT_LABEL}=${name}`;
    try {
      // Names and labels only: the report ConfigMaps themselves are up to a MiB each.
      const list = await this.api.request<{ items?: ConfigMap[] }>('GET', cmPath(namespace), {
        query: { labelSelector: selector },
        accept: METADATA_ONLY,
      });
      const cutoff = Date.now() - 10 * 60_000; // another writer's scan may be halfway: only old leftovers
      for (const cm of list.items ?? []) {
        const scan = cm.metadata.labels?.[SCAN_LABEL];
        const role = cm.metadata.labels?.[ROLE_LABEL];
        if (role === 'latest' || !scan || keep.has(scan)) continue;
        const isDropped = dropped.some((e) => e.scanId === scan);
        const created = cm.metadata.creationTimestamp ? Date.parse(cm.metadata.creationTimestamp) : 0;
        if (!isDropped && created > cutoff) continue;
        await this.api.request('DELETE', cmPath(namespace, cm.metadata.name)).catch((error: unknown) => {
          if (!isApiStatus(error, 404)) throw error;
        });
      }
    } catch (error) {
      // The new report is in place; stale history is only clutter, so say so and go on.
      this.options.log?.('could not prune old report ConfigMaps', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * Reads the latest report, or the one of `scanId` (a history entry), as `kube-patrol report` and the
 * operator (for the diff) need it: validated, bounded and time-limited (src/report/stored.ts).
 */
export async function readStoredReport(
  api: KubeApi,
  namespace: string,
  name: string,
  scanId?: string,
  options: { limits?: StoredReadLimits; signal?: AbortSignal } = {},
): Promise<StoredReport> {
  const read = async (cmName: string, signal: AbortSignal): Promise<StoredConfigMap> => {
    try {
      return await api.request<StoredConfigMap>('GET', cmPath(namespace, cmName), { signal });
    } catch (error) {
      if (isApiStatus(error, 404))
        throw new ReportNotFoundError(`no report ConfigMap ${namespace}/${cmName}`);
      throw error;
    }
  };
  return openStoredReport(read, name, { ...(scanId ? { scanId } : {}), ...options });
}
