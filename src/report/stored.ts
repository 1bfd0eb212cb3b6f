import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { createBrotliDecompress, createGunzip, type BrotliDecompress, type Gunzip } from 'node:zlib';
import type { z } from 'zod';
import type { WorkloadRef } from '../workloads/model.ts';
import type { DiffBase } from './diff.ts';
import { findingIds } from './finding-ids.ts';
import { JsonObjectStream, JsonStreamError } from './json-stream.ts';
import {
  REPORT_API_VERSION,
  REPORT_KIND,
  type InspectionReport,
  type ReportPodSecurity,
  type ReportDiffEntry,
  type ReportFinding,
} from './model.ts';
import {
  diffFindingSchema,
  historyEntrySchema,
  partsManifestSchema,
  reportCoverageSchema,
  reportNamespaceAdviceSchema,
  reportPodSecurityHeadSchema,
  reportDiffEntrySchema,
  reportDiffHeadSchema,
  reportErrorSchema,
  reportFindingSchema,
  reportMetadataSchema,
  reportObjectSchema,
  reportRuleSchema,
  reportSummarySchema,
  reportWorkloadSchema,
  storedSummarySchema,
} from './stored-schema.ts';

/**
 * Reading a report back from its ConfigMaps (the layout of docs/operator.md "The report in ConfigMaps").
 * What is stored there is input, not truth: anyone who can write ConfigMaps in the operator's namespace
 * can plant a summary, a history, a parts list or a compressed file. So every piece is validated (zod),
 * every decompression is capped in bytes, the parts list is checked before any part is fetched, the
 * report JSON is read by a streaming parser that needs no particular layout, and the whole read is
 * abortable and time-bounded. Any failure is a StoredReportError (or ReportNotFoundError): for the
 * operator, "no diff this time"; for `kube-patrol report`, a clear error.
 */

export type Storage = 'data' | 'gzip' | 'brotli' | 'split';
/** How a file's bytes are compressed: the suffix of its key in `binaryData` (`report.json.br`). */
export type Compression = 'gz' | 'br';

export const SUMMARY_KEY = 'summary.json';
export const PARTS_KEY = 'parts.json';
export const HISTORY_KEY = 'history.json';

export interface PartRef {
  /** Name of the part ConfigMap. */
  readonly configMap: string;
  /** Key inside its binaryData. */
  readonly key: string;
}

/** Where the pieces of each split file are, in order, and how to check the reassembled bytes. */
export interface PartsManifest {
  readonly files: Record<
    string,
    { readonly parts: readonly PartRef[]; readonly bytes: number; readonly sha256: string }
  >;
}

export type StoredSummary = z.infer<typeof storedSummarySchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** A ConfigMap as read (only what the reader looks at). */
export interface StoredConfigMap {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

export class ReportNotFoundError extends Error {
  override readonly name = 'ReportNotFoundError';
}

export type StoredReportProblem = 'schema' | 'limit' | 'integrity' | 'corrupt' | 'timeout' | 'aborted';

/** A stored report that cannot be used: what is wrong (`problem`, for metrics) and where. */
export class StoredReportError extends Error {
  override readonly name: string = 'StoredReportError';
  readonly problem: StoredReportProblem;
  constructor(problem: StoredReportProblem, message: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
  }
}

/** The reassembled parts do not match their manifest (length or sha256), or a part is missing. */
export class ReportIntegrityError extends StoredReportError {
  override readonly name = 'ReportIntegrityError';
  constructor(message: string) {
    super('integrity', message);
  }
}

/**
 * Bounds of one read. The defaults hold a report several times the largest measured (88,000 findings
 * from 20,000 pods, docs/benchmarks.md) and keep the operator well inside its 768 MiB limit.
 */
export interface StoredReadLimits {
  /** Compressed bytes of one file (whole, or all its parts). */
  readonly maxCompressedBytes: number;
  /** Decompressed bytes of one file. */
  readonly maxTextBytes: number;
  /** One JSON value held at a time (a finding, a workload, the summary), in characters. */
  readonly maxValueChars: number;
  /** Entries of each array (findings, workloads, errors, diff entries). */
  readonly maxEntries: number;
  /** Findings with an id already seen: a cluster report has none (each object, rule and field once). */
  readonly maxDuplicateIds: number;
  readonly maxRules: number;
  /** Part ConfigMaps of one report (all files). */
  readonly maxParts: number;
  readonly maxHistory: number;
  /** Of one read (a report, or a diff base), from its first request to its last byte. */
  readonly timeoutMs: number;
}

export const DEFAULT_STORED_LIMITS: StoredReadLimits = {
  maxCompressedBytes: 48 << 20,
  maxTextBytes: 256 << 20,
  maxValueChars: 256 << 10,
  maxEntries: 250_000,
  maxDuplicateIds: 1000,
  maxRules: 1000,
  maxParts: 64,
  maxHistory: 64,
  timeoutMs: 60_000,
};

/** summary.json and history.json are small (the main ConfigMap is at most 1 MiB): a tighter bound. */
const MAX_INDEX_CHARS = 1 << 20;
/** A part ConfigMap holds less than 1 MiB; its base64 is 4/3 of that. */
const MAX_PART_BYTES = 1 << 20;
const COMPRESSIONS: readonly Compression[] = ['gz', 'br'];

function parseJsonIndex(text: string, what: string): unknown {
  if (text.length > MAX_INDEX_CHARS)
    throw new StoredReportError('limit', `${what} is longer than ${MAX_INDEX_CHARS} characters`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StoredReportError('corrupt', `${what} is not JSON: ${(error as Error).message}`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
    .join('; ');
}

function validated<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoredReportError('schema', `${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** summary.json of a main ConfigMap, validated. */
export function parseStoredSummary(cm: StoredConfigMap): StoredSummary {
  const text = cm.data?.[SUMMARY_KEY];
  if (typeof text !== 'string')
    throw new ReportNotFoundError(
      `ConfigMap ${cm.metadata.name} has no ${SUMMARY_KEY}: not a kube-patrol report`,
    );
  const where = `ConfigMap ${cm.metadata.name} ${SUMMARY_KEY}`;
  return validated(storedSummarySchema, parseJsonIndex(text, where), where);
}

/**
 * history.json, keeping only valid entries of this report (each naming its own ConfigMap
 * `<name>-<scan id>`), once each, at most `maxHistory`. What was dropped is counted, not fatal: the next
 * write rewrites the index from what is kept.
 */
export function parseStoredHistory(
  text: string | undefined,
  reportName: string,
  maxHistory = DEFAULT_STORED_LIMITS.maxHistory,
): { entries: HistoryEntry[]; dropped: number } {
  if (text === undefined) return { entries: [], dropped: 0 };
  let parsed: unknown;
  try {
    parsed = parseJsonIndex(text, HISTORY_KEY);
  } catch {
    return { entries: [], dropped: 1 };
  }
  if (!Array.isArray(parsed)) return { entries: [], dropped: 1 };
  const entries: HistoryEntry[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const raw of parsed.slice(0, maxHistory)) {
    const result = historyEntrySchema.safeParse(raw);
    if (
      !result.success ||
      result.data.configMap !== `${reportName}-${result.data.scanId}` ||
      seen.has(result.data.scanId)
    ) {
      dropped++;
      continue;
    }
    seen.add(result.data.scanId);
    entries.push(result.data);
  }
  return { entries, dropped: dropped + Math.max(0, parsed.length - maxHistory) };
}

/** An AbortSignal for one read: the caller's, and the read's own deadline. */
export function readSignal(limits: StoredReadLimits, signal?: AbortSignal): AbortSignal {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

function checkSignal(signal: AbortSignal, what: string): void {
  if (!signal.aborted) return;
  const reason = signal.reason as unknown;
  if (reason instanceof DOMException && reason.name === 'TimeoutError')
    throw new StoredReportError('timeout', `${what}: not read within the time allowed`, { cause: reason });
  throw new StoredReportError('aborted', `${what}: read abandoned`, { cause: reason });
}

export type PartReader = (configMap: string, signal: AbortSignal) => Promise<StoredConfigMap>;

interface CompressedFile {
  readonly compression: Compression;
  readonly bytes: Buffer;
}

/**
 * The parts list of a split report, checked whole before any part is fetched: a valid manifest, at most
 * `maxParts` parts, every part named `<report>-<scan id>-part-<n>` (n counting from 1 across all files),
 * no part named twice, each key the file's own, and declared sizes within the limits and possible for
 * that many parts.
 */
export function checkedPartsManifest(
  main: StoredConfigMap,
  reportName: string,
  summary: Pick<StoredSummary, 'scanId'>,
  limits: StoredReadLimits,
): PartsManifest {
  const where = `ConfigMap ${main.metadata.name} ${PARTS_KEY}`;
  const text = main.data?.[PARTS_KEY];
  if (text === undefined) return { files: {} };
  const manifest = validated(partsManifestSchema, parseJsonIndex(text, where), where);
  const names = new Set<string>();
  let total = 0;
  const prefix = `${reportName}-${summary.scanId}-part-`;
  for (const [key, entry] of Object.entries(manifest.files)) {
    total += entry.parts.length;
    if (total > limits.maxParts)
      throw new StoredReportError('limit', `${where}: more than ${limits.maxParts} parts`);
    if (entry.parts.length === 0) throw new StoredReportError('schema', `${where}: ${key} has no parts`);
    if (entry.bytes > limits.maxCompressedBytes)
      throw new StoredReportError(
        'limit',
        `${where}: ${key} declares ${entry.bytes} bytes, over the limit of ${limits.maxCompressedBytes}`,
      );
    if (entry.bytes > entry.parts.length * MAX_PART_BYTES)
      throw new StoredReportError(
        'schema',
        `${where}: ${key} declares more bytes than ${entry.parts.length} parts hold`,
      );
    for (const part of entry.parts) {
      if (part.key !== key)
        throw new StoredReportError('schema', `${where}: a part of ${key} names key ${part.key}`);
      if (names.has(part.configMap))
        throw new StoredReportError('schema', `${where}: part ${part.configMap} is listed twice`);
      names.add(part.configMap);
      if (part.configMap !== `${prefix}${names.size}`)
        throw new StoredReportError(
          'schema',
          `${where}: part ${names.size} is ${part.configMap}, expected ${prefix}${names.size}`,
        );
    }
  }
  return manifest;
}

function decodeBase64(value: unknown, maxBytes: number, what: string): Buffer {
  if (typeof value !== 'string') throw new StoredReportError('schema', `${what} is not a string`);
  if (Math.floor((value.length * 3) / 4) > maxBytes)
    throw new StoredReportError('limit', `${what} holds more than ${maxBytes} bytes`);
  return Buffer.from(value, 'base64');
}

/** Where one report's files are: its main ConfigMap, its checked parts list, and how to read a part. */
export interface StoredFiles {
  readonly main: StoredConfigMap;
  readonly manifest: PartsManifest;
  readonly readPart: PartReader;
  readonly limits: StoredReadLimits;
}

async function compressedFile(
  { main, manifest, readPart, limits }: StoredFiles,
  key: string,
  signal: AbortSignal,
): Promise<CompressedFile | undefined> {
  for (const compression of COMPRESSIONS) {
    const value = main.binaryData?.[`${key}.${compression}`];
    if (value !== undefined)
      return {
        compression,
        bytes: decodeBase64(
          value,
          limits.maxCompressedBytes,
          `ConfigMap ${main.metadata.name} ${key}.${compression}`,
        ),
      };
  }
  const compression = COMPRESSIONS.find((c) => manifest.files[`${key}.${c}`]);
  const entry = compression && manifest.files[`${key}.${compression}`];
  if (!compression || !entry) return undefined;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for (const ref of entry.parts) {
    checkSignal(signal, key);
    const part = await readPart(ref.configMap, signal).catch((error: unknown) => {
      checkSignal(signal, key); // a request cut by the read's deadline is a timeout, not an API error
      throw error;
    });
    const value = part.binaryData?.[ref.key];
    if (value === undefined)
      throw new ReportIntegrityError(`part ConfigMap ${ref.configMap} has no ${ref.key}`);
    const chunk = decodeBase64(value, MAX_PART_BYTES, `part ConfigMap ${ref.configMap} ${ref.key}`);
    bytes += chunk.length;
    if (bytes > entry.bytes)
      throw new ReportIntegrityError(
        `${key}: the parts hold more than the ${entry.bytes} bytes of the manifest`,
      );
    chunks.push(chunk);
  }
  const whole = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(whole).digest('hex');
  if (whole.length !== entry.bytes || sha256 !== entry.sha256)
    throw new ReportIntegrityError(
      `${key}: reassembled ${whole.length} bytes do not match the manifest (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`,
    );
  return { compression, bytes: whole };
}

/**
 * Decompressed text in pieces, never more than `maxTextBytes` in all: the stream is destroyed as soon as
 * its output passes the cap (a 1.8 KB brotli can hold a GiB). `maxOutputLength` bounds each zlib call
 * too, so no single chunk outgrows the cap.
 */
async function* decompressedText(
  file: CompressedFile,
  limits: StoredReadLimits,
  signal: AbortSignal,
  what: string,
): AsyncGenerator<string> {
  const options = { maxOutputLength: limits.maxTextBytes, chunkSize: 64 * 1024 };
  const stream: Gunzip | BrotliDecompress =
    file.compression === 'gz' ? createGunzip(options) : createBrotliDecompress(options);
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  try {
    stream.end(file.bytes);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      checkSignal(signal, what);
      bytes += chunk.length;
      if (bytes > limits.maxTextBytes)
        throw new StoredReportError(
          'limit',
          `${what}: decompresses to more than ${limits.maxTextBytes} bytes`,
        );
      yield decoder.write(chunk);
    }
  } catch (error) {
    if (error instanceof StoredReportError) throw error;
    throw new StoredReportError('corrupt', `${what}: cannot decompress (${(error as Error).message})`, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
  yield decoder.end();
}

/** A plain `data` file in slices, so that the parser's work is the same for every storage. */
function* slicesOf(text: string): Generator<string> {
  const size = 1 << 16;
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/**
 * A stored file's text in pieces (plain data, whole compressed binaryData, or checked parts), or undefined
 * when the report does not hold it.
 */
export async function storedFileText(
  files: StoredFiles,
  key: string,
  signal: AbortSignal,
): Promise<AsyncIterable<string> | Iterable<string> | undefined> {
  const { main, limits } = files;
  const plain = main.data?.[key];
  if (plain !== undefined) {
    if (plain.length > limits.maxTextBytes)
      throw new StoredReportError('limit', `${key} is longer than ${limits.maxTextBytes} characters`);
    return slicesOf(plain);
  }
  const file = await compressedFile(files, key, signal);
  return file && decompressedText(file, limits, signal, `ConfigMap ${main.metadata.name} ${key}`);
}

const FULL_STREAMED = new Set([
  'rules',
  'workloads',
  'objects',
  'findings',
  'errors',
  'diff.new',
  'diff.resolved',
  'diff.newlyExempted',
  'diff.exemptionExpired',
  'podSecurity.namespaces',
]);
const DESCENDED = new Set(['diff', 'podSecurity']);

/**
 * Streams a report.json through the parser. Returns the captured members and the walked containers seen;
 * a member that should be an array or object (findings, diff) but is something else is refused.
 */
async function parseJsonStream(
  chunks: AsyncIterable<string> | Iterable<string>,
  what: string,
  signal: AbortSignal,
  limits: StoredReadLimits,
  onElement: (path: string, value: unknown) => void,
): Promise<{ values: Map<string, unknown>; containers: Set<string> }> {
  const values = new Map<string, unknown>();
  const containers = new Set<string>();
  const parser = new JsonObjectStream({
    descend: DESCENDED,
    stream: FULL_STREAMED,
    maxValueChars: limits.maxValueChars,
    onValue: (path, value) => {
      if (FULL_STREAMED.has(path) || DESCENDED.has(path))
        throw new StoredReportError(
          'schema',
          `${what}: ${path} is not ${DESCENDED.has(path) ? 'an object' : 'an array'}`,
        );
      values.set(path, value);
    },
    onElement,
    onContainer: (path) => containers.add(path),
  });
  try {
    for await (const chunk of chunks) {
      checkSignal(signal, what);
      parser.write(chunk);
    }
    parser.end();
  } catch (error) {
    if (error instanceof JsonStreamError)
      throw new StoredReportError('corrupt', `${what}: ${error.message}`, { cause: error });
    throw error;
  }
  checkHeader(values, what);
  for (const path of ['rules', 'workloads', 'findings', 'errors'])
    if (!containers.has(path)) throw new StoredReportError('schema', `${what}: no ${path} list`);
  return { values, containers };
}

/** Counts entries of each streamed array against the limit. */
function entryCounter(limits: StoredReadLimits, what: string): (path: string) => void {
  const counts = new Map<string, number>();
  return (path) => {
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const max = path === 'rules' ? limits.maxRules : limits.maxEntries;
    if (n > max) throw new StoredReportError('limit', `${what}: more than ${max} entries in ${path}`);
  };
}

function checkHeader(values: Map<string, unknown>, what: string): void {
  if (values.get('apiVersion') !== REPORT_API_VERSION || values.get('kind') !== REPORT_KIND)
    throw new StoredReportError('schema', `${what}: not a ${REPORT_API_VERSION} ${REPORT_KIND}`);
}

const workloadKey = (w: WorkloadRef) => `${w.kind}\u0000${w.namespace ?? ''}\u0000${w.name}`;

type FindingKey = Parameters<ReturnType<typeof findingIds>>[0];

/**
 * Identity of each finding read back: its id derived anew (a report written by an earlier version may have
 * made them differently), one WorkloadRef per workload, and whether the id was seen before. More than
 * `maxDuplicateIds` repeats is not a report kube-patrol wrote (a cluster report has each object, rule and
 * field once): the read stops there, so a bomb of one repeated line costs nothing.
 */
function findingIdentity(
  limits: StoredReadLimits,
  what: string,
): (f: FindingKey) => { id: string; workload: WorkloadRef; repeated: boolean } {
  const ids = findingIds();
  const refs = new Map<string, WorkloadRef>();
  const seen = new Set<string>();
  let duplicates = 0;
  return (f) => {
    const key = workloadKey(f.workload);
    let workload = refs.get(key);
    if (!workload) refs.set(key, (workload = f.workload));
    const id = ids({ ...f, workload });
    const repeated = seen.has(id);
    if (!repeated) seen.add(id);
    else if (++duplicates > limits.maxDuplicateIds)
      throw new StoredReportError(
        'schema',
        `${what}: more than ${limits.maxDuplicateIds} findings repeat an earlier one`,
      );
    return { id, workload, repeated };
  };
}

/**
 * The whole report, validated section by section as it streams, with finding ids derived anew (a report
 * written by an earlier version may have made them differently) and one WorkloadRef per workload.
 */
export async function parseStoredReport(
  chunks: AsyncIterable<string> | Iterable<string>,
  what: string,
  signal: AbortSignal,
  limits: StoredReadLimits = DEFAULT_STORED_LIMITS,
): Promise<InspectionReport> {
  const arrays = new Map<string, unknown[]>([...FULL_STREAMED].map((p) => [p, []]));
  const count = entryCounter(limits, what);
  const identity = findingIdentity(limits, what);
  const schemas: Record<string, z.ZodType> = {
    rules: reportRuleSchema,
    workloads: reportWorkloadSchema,
    objects: reportObjectSchema,
    findings: reportFindingSchema,
    errors: reportErrorSchema,
    'diff.new': reportDiffEntrySchema,
    'diff.resolved': reportDiffEntrySchema,
    'diff.newlyExempted': reportDiffEntrySchema,
    'diff.exemptionExpired': reportDiffEntrySchema,
    'podSecurity.namespaces': reportNamespaceAdviceSchema,
  };
  const { values, containers } = await parseJsonStream(chunks, what, signal, limits, (path, value) => {
    count(path);
    const entry = validated(schemas[path] as z.ZodType, value, `${what}: an entry of ${path}`);
    if (path === 'findings') {
      const f = entry as ReportFinding;
      const { id, workload } = identity(f);
      arrays.get(path)!.push({ ...f, id, workload });
    } else arrays.get(path)!.push(entry);
  });
  const metadata = validated(reportMetadataSchema, values.get('metadata'), `${what}: metadata`);
  const summary = validated(reportSummarySchema, values.get('summary'), `${what}: summary`);
  const coverage = values.has('coverage')
    ? validated(reportCoverageSchema, values.get('coverage'), `${what}: coverage`)
    : undefined;
  const findings = arrays.get('findings') as ReportFinding[];
  const unexempted = findings.reduce((n, f) => n + (f.exempted ? 0 : 1), 0);
  const workloads = arrays.get('workloads') as InspectionReport['workloads'];
  if (unexempted !== summary.findings || workloads.length !== summary.workloads)
    throw new StoredReportError(
      'schema',
      `${what}: the summary counts ${summary.workloads} workloads and ${summary.findings} findings, the lists hold ${workloads.length} and ${unexempted}`,
    );
  const diff = containers.has('diff')
    ? {
        ...validated(
          reportDiffHeadSchema,
          { since: values.get('diff.since'), previousScore: values.get('diff.previousScore') },
          `${what}: diff`,
        ),
        new: arrays.get('diff.new') as ReportDiffEntry[],
        resolved: arrays.get('diff.resolved') as ReportDiffEntry[],
        // Reports written before these lists existed have none: absent, not empty.
        ...(containers.has('diff.newlyExempted')
          ? { newlyExempted: arrays.get('diff.newlyExempted') as ReportDiffEntry[] }
          : {}),
        ...(containers.has('diff.exemptionExpired')
          ? { exemptionExpired: arrays.get('diff.exemptionExpired') as ReportDiffEntry[] }
          : {}),
      }
    : undefined;
  const podSecurity = containers.has('podSecurity')
    ? {
        ...validated(
          reportPodSecurityHeadSchema,
          { version: values.get('podSecurity.version') },
          `${what}: podSecurity`,
        ),
        namespaces: arrays.get('podSecurity.namespaces') as ReportPodSecurity['namespaces'],
      }
    : undefined;
  return {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    metadata,
    summary,
    rules: arrays.get('rules') as InspectionReport['rules'],
    workloads,
    ...(containers.has('objects') ? { objects: arrays.get('objects') as InspectionReport['objects'] } : {}),
    findings,
    errors: arrays.get('errors') as InspectionReport['errors'],
    ...(coverage ? { coverage } : {}),
    ...(diff ? { diff } : {}),
    ...(podSecurity ? { podSecurity } : {}),
  } as InspectionReport;
}

/**
 * What a diff needs of a stored report (its unexempted findings as diff entries, ids derived anew), read
 * as it streams without keeping the rest. Findings with an id seen before are kept once; more than
 * `maxDuplicateIds` of them is not a report kube-patrol wrote.
 */
export async function parseStoredDiffBase(
  chunks: AsyncIterable<string> | Iterable<string>,
  what: string,
  signal: AbortSignal,
  limits: StoredReadLimits = DEFAULT_STORED_LIMITS,
): Promise<DiffBase> {
  const count = entryCounter(limits, what);
  const identity = findingIdentity(limits, what);
  const findings: ReportDiffEntry[] = [];
  const { values } = await parseJsonStream(chunks, what, signal, limits, (path, value) => {
    count(path);
    if (path !== 'findings') return;
    const f = validated(diffFindingSchema, value, `${what}: a finding`);
    if (f.exempted) return;
    const { id, workload, repeated } = identity(f);
    if (repeated) return;
    findings.push({
      id,
      ruleId: f.ruleId,
      severity: f.severity,
      workload,
      container: f.container,
      path: f.path,
      message: f.message,
    });
  });
  const metadata = validated(reportMetadataSchema, values.get('metadata'), `${what}: metadata`);
  const summary = validated(reportSummarySchema, values.get('summary'), `${what}: summary`);
  return { generatedAt: metadata.generatedAt, score: summary.score, findings };
}

/**
 * A digest of a diff base: its time and the sorted ids of its findings. The operator keeps the digest of
 * each report it writes where report writers cannot reach (ADR 0009); a stored report whose diff base does
 * not match it was not written by the operator and is not diffed against.
 */
export function diffBaseDigest(base: DiffBase): string {
  const hash = createHash('sha256').update(`${base.generatedAt}\n`);
  for (const id of base.findings.map((f) => f.id).sort()) hash.update(`${id}\n`);
  return hash.digest('hex');
}

export interface StoredReport {
  readonly configMap: string;
  readonly summary: StoredSummary;
  readonly history: readonly HistoryEntry[];
  /** History entries that were invalid and left out. */
  readonly historyDropped: number;
  /**
   * One stored file's text, bounded and checked like the rest: for tests and tools that look at the
   * stored bytes. Never shown to a person as it is: `report` re-renders from the validated report.
   */
  file(key: string, signal?: AbortSignal): Promise<string | undefined>;
  /** The validated report.json. */
  report(signal?: AbortSignal): Promise<InspectionReport>;
  /** What a diff against this report needs, read as it streams. */
  diffBase(signal?: AbortSignal): Promise<DiffBase>;
}

/**
 * Opens the latest report of `reportName`, or the one of `scanId` (a history entry, or a unique prefix of
 * its id). `readConfigMap` fetches one ConfigMap of the operator's namespace (ReportNotFoundError on 404).
 */
export async function openStoredReport(
  readConfigMap: PartReader,
  reportName: string,
  options: { scanId?: string; limits?: StoredReadLimits; signal?: AbortSignal } = {},
): Promise<StoredReport> {
  const limits = options.limits ?? DEFAULT_STORED_LIMITS;
  const openSignal = readSignal(limits, options.signal);
  const read = (name: string) =>
    readConfigMap(name, openSignal).catch((error: unknown) => {
      checkSignal(openSignal, `ConfigMap ${name}`);
      throw error;
    });
  const latest = await read(reportName);
  const { entries: history, dropped } = parseStoredHistory(
    latest.data?.[HISTORY_KEY],
    reportName,
    limits.maxHistory,
  );
  let main = latest;
  let summary = parseStoredSummary(latest);
  const scanId = options.scanId;
  if (scanId && summary.scanId !== scanId) {
    const matches = history.filter((e) => e.scanId === scanId || e.scanId.startsWith(scanId));
    const entry = matches.find((e) => e.scanId === scanId) ?? (matches.length === 1 ? matches[0] : undefined);
    if (!entry)
      throw new ReportNotFoundError(
        `no scan ${scanId} in the history of ${reportName} (have: ${history.map((e) => e.scanId).join(', ') || 'none'})`,
      );
    main = await read(entry.configMap);
    summary = parseStoredSummary(main);
    if (summary.scanId !== entry.scanId)
      throw new StoredReportError(
        'schema',
        `ConfigMap ${entry.configMap} holds scan ${summary.scanId}, not ${entry.scanId}`,
      );
  }
  const manifest = checkedPartsManifest(main, reportName, summary, limits);
  const what = `ConfigMap ${main.metadata.name} report.json`;
  const files: StoredFiles = { main, manifest, readPart: readConfigMap, limits };
  const text = async (key: string, signal: AbortSignal) => storedFileText(files, key, signal);
  const reportText = async (signal: AbortSignal) => {
    const chunks = await text('report.json', signal);
    if (chunks === undefined)
      throw new ReportNotFoundError(
        `ConfigMap ${main.metadata.name} holds no report.json (formats: ${summary.files.join(', ') || 'none'})`,
      );
    return chunks;
  };
  return {
    configMap: main.metadata.name,
    summary,
    history,
    historyDropped: dropped,
    file: async (key, signal) => {
      const s = readSignal(limits, signal);
      const chunks = await text(key, s);
      if (chunks === undefined) return undefined;
      const pieces: string[] = [];
      for await (const piece of chunks) pieces.push(piece);
      return pieces.join('');
    },
    report: async (signal) => {
      const s = readSignal(limits, signal);
      return parseStoredReport(await reportText(s), what, s, limits);
    },
    diffBase: async (signal) => {
      const s = readSignal(limits, signal);
      return parseStoredDiffBase(await reportText(s), what, s, limits);
    },
  };
}
