import { randomBytes } from 'node:crypto';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { diffBaseOf, type DiffBase } from '../report/diff.ts';
import { findingIds, withCurrentIds } from '../report/finding-ids.ts';
import type { InspectionReport, ReportDiffEntry, SeverityCounts } from '../report/model.ts';
import type { WorkloadRef } from '../workloads/model.ts';
import {
  decodeFile,
  decodeFileLines,
  encodeReport,
  HISTORY_KEY,
  payloadBytes,
  SUMMARY_KEY,
  type ConfigMapPayload,
  type EncodedReport,
  type FileSource,
  type Storage,
} from './configmap-encoding.ts';

export const APP_LABEL = 'app.kubernetes.io/name';
export const APP_NAME = 'kube-patrol';
export const REPORT_LABEL = 'kube-patrol.io/report';
export const SCAN_LABEL = 'kube-patrol.io/scan-id';
export const ROLE_LABEL = 'kube-patrol.io/role';

/** `summary.json`: small, always plain text in the main ConfigMap. */
export interface StoredSummary {
  readonly scanId: string;
  readonly generatedAt: string;
  readonly cluster?: string;
  readonly score: number;
  readonly workloads: number;
  readonly findings: number;
  readonly exempted: number;
  readonly bySeverity: SeverityCounts;
  readonly errors: number;
  readonly durationMs?: number;
  readonly diff?: {
    readonly since: string;
    readonly new: number;
    readonly resolved: number;
    readonly newCritical: number;
  };
  readonly storage: Storage;
  readonly files: readonly string[];
}

/** One entry of `history.json` (newest first; the first is the latest report). */
export interface HistoryEntry {
  readonly scanId: string;
  readonly generatedAt: string;
  /** The ConfigMap that keeps this scan's report. */
  readonly configMap: string;
  readonly score: number;
  readonly findings: number;
  readonly bySeverity: SeverityCounts;
  readonly new?: number;
  readonly resolved?: number;
}

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

export class ReportNotFoundError extends Error {
  override readonly name = 'ReportNotFoundError';
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
  files: readonly string[],
): StoredSummary {
  const diff = report.diff;
  return {
    scanId,
    generatedAt: report.metadata.generatedAt,
    ...(report.metadata.cluster ? { cluster: report.metadata.cluster } : {}),
    score: report.summary.score,
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
    const fileKeys = Object.keys(files);
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
      const previous = parseHistory(current?.data?.[HISTORY_KEY]);
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

function parseHistory(text: string | undefined): HistoryEntry[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as HistoryEntry[]) : [];
  } catch {
    return [];
  }
}

export interface StoredReport {
  readonly configMap: string;
  readonly summary: StoredSummary;
  readonly history: readonly HistoryEntry[];
  /** Reads and reassembles one rendered file (`report.json`, `report.html`). */
  file(key: string): Promise<string | undefined>;
  /** The parsed report.json. */
  report(): Promise<InspectionReport>;
  /**
   * What a diff against this report needs (its unexempted findings as diff entries), read line by line
   * from report.json without holding or parsing the whole report when it has one finding per line.
   */
  diffBase(): Promise<DiffBase>;
}

const FINDINGS_OPEN = '  "findings": [';

/**
 * The diff base of a report.json in the large layout (renderJsonChunks: one finding per line inside the
 * top-level outline), read as it streams. Undefined when the text is laid out otherwise (small, indented
 * reports): the caller parses it whole then.
 */
export async function readDiffBase(
  lines: AsyncIterable<string>,
  summary: Pick<StoredSummary, 'generatedAt' | 'score'>,
): Promise<DiffBase | undefined> {
  const findings: ReportDiffEntry[] = [];
  const workloads = new Map<string, WorkloadRef>();
  // Ids derived anew: a report written by an earlier version may have made them differently.
  const ids = findingIds();
  let inside = false;
  for await (const line of lines) {
    if (!inside) {
      if (line === `${FINDINGS_OPEN}],` || line === `${FINDINGS_OPEN}]`)
        return { generatedAt: summary.generatedAt, score: summary.score, findings };
      if (line === FINDINGS_OPEN) inside = true;
      continue;
    }
    if (line === '  ]' || line === '  ],')
      return { generatedAt: summary.generatedAt, score: summary.score, findings };
    const text = line.endsWith(',') ? line.slice(0, -1) : line;
    if (!text.startsWith('    {') || !text.endsWith('}')) return undefined;
    let f: ReportDiffEntry & { exempted?: unknown; missing?: string };
    try {
      f = JSON.parse(text) as ReportDiffEntry & { exempted?: unknown; missing?: string };
    } catch {
      return undefined;
    }
    if (f.exempted) continue;
    // Findings of one workload share one WorkloadRef, as in a report built in memory.
    const key = `${f.workload.kind}\u0000${f.workload.namespace ?? ''}\u0000${f.workload.name}`;
    let workload = workloads.get(key);
    if (!workload) workloads.set(key, (workload = f.workload));
    findings.push({
      id: ids({ ...f, workload }),
      ruleId: f.ruleId,
      severity: f.severity,
      workload,
      container: f.container,
      path: f.path,
      message: f.message,
    });
  }
  return undefined;
}

/**
 * Reads the latest report, or the one of `scanId` (a history entry), as `kube-patrol report` and the
 * operator (for the diff) need it.
 */
export async function readStoredReport(
  api: KubeApi,
  namespace: string,
  name: string,
  scanId?: string,
): Promise<StoredReport> {
  const read = async (cmName: string) => {
    try {
      return await api.request<ConfigMap>('GET', cmPath(namespace, cmName));
    } catch (error) {
      if (isApiStatus(error, 404))
        throw new ReportNotFoundError(`no report ConfigMap ${namespace}/${cmName}`);
      throw error;
    }
  };
  const latest = await read(name);
  const history = parseHistory(latest.data?.[HISTORY_KEY]);
  let main = latest;
  if (scanId && parseSummary(latest).scanId !== scanId) {
    const entry = history.find((e) => e.scanId === scanId || e.scanId.startsWith(scanId));
    if (!entry)
      throw new ReportNotFoundError(
        `no scan ${scanId} in the history of ${namespace}/${name} (have: ${history.map((e) => e.scanId).join(', ') || 'none'})`,
      );
    main = await read(entry.configMap);
  }
  const readPart = (cmName: string) => read(cmName);
  const file = (key: string) => decodeFile(main, key, readPart);
  const missing = () =>
    new ReportNotFoundError(
      `ConfigMap ${namespace}/${main.metadata.name} holds no report.json (formats: ${parseSummary(main).files.join(', ')})`,
    );
  const report = async () => {
    const text = await file('report.json');
    if (text === undefined) throw missing();
    return JSON.parse(text) as InspectionReport;
  };
  return {
    configMap: main.metadata.name,
    summary: parseSummary(main),
    history,
    file,
    report,
    diffBase: async () => {
      const lines = await decodeFileLines(main, 'report.json', readPart);
      if (lines === undefined) throw missing();
      const fromLines = await readDiffBase(lines, parseSummary(main));
      if (fromLines) return fromLines;
      const whole = await report();
      return diffBaseOf({ ...whole, findings: withCurrentIds(whole.findings) });
    },
  };
}

function parseSummary(cm: ConfigMap): StoredSummary {
  const text = cm.data?.[SUMMARY_KEY];
  if (!text)
    throw new ReportNotFoundError(
      `ConfigMap ${cm.metadata.name} has no ${SUMMARY_KEY}: not a kube-patrol report`,
    );
  return JSON.parse(text) as StoredSummary;
}
