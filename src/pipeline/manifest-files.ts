import type { EngineError, Inspector, WorkloadResult } from '../engine/run.ts';
import type { PreparedResult, ReportAssembler } from '../report/build.ts';
import type { ReportError } from '../report/model.ts';
import { readManifestText, type ManifestFile, type ManifestOptions } from '../sources/manifests.ts';
import { describeWorkload, type Workload } from '../workloads/model.ts';
import type { PodSecurityPass } from './pod-security.ts';
import type { Extraction } from '../workloads/extract.ts';
import { monotonicMs } from '../shared/clock.ts';

/**
 * At most this many findings are listed per object and per file; beyond, the rest are dropped with an
 * error naming the file and object (exit status 2). The score of the object still counts every
 * finding. A hostile file (aliases that repeat a container list, one Pod with 20,000 containers)
 * would otherwise grow the report by millions of findings nobody can act on.
 */
export const MAX_FINDINGS_PER_OBJECT = 5_000;
export const MAX_FINDINGS_PER_FILE = 50_000;

/**
 * What one manifest file adds to a scan, as plain data: the single-threaded scan and the worker threads
 * (src/pipeline/scan-parallel.ts) both produce it with inspectFile, and the report is assembled from these
 * in file order, so both give the same report.
 */
export interface FileResult {
  /** The file's text was read (it counts in `coverage.filesRead`). */
  readonly read: boolean;
  /** Read, decode and cap errors, in the order they arose. */
  readonly errors: readonly ReportError[];
  readonly skipped: readonly (readonly [string, number])[];
  /** The kinds and namespaces of its workloads (first appearance order). */
  readonly kinds: readonly string[];
  readonly namespaces: readonly string[];
  readonly workloads: number;
  readonly results: readonly PreparedResult[];
  readonly engineErrors: readonly EngineError[];
  /** The PSS levels each namespaced workload passes, when the scan tallies them (pod-security.ts). */
  readonly podSecurity?: readonly NamespaceVerdict[];
}

/** One namespaced workload's verdict, counted in its namespace by the thread that assembles the report. */
export interface NamespaceVerdict {
  readonly namespace: string;
  readonly baseline: boolean;
  readonly restricted: boolean;
}

/**
 * Sees each file's text as read and each workload's engine result (`kube-patrol fix` edits from them).
 * Scans on this thread only: a scan given an observer is not handed to workers.
 */
export interface ManifestScanObserver {
  text?(file: string, text: string): void;
  result?(file: string, workload: Workload, result: WorkloadResult): void;
}

/** Inspects the workloads of one decoded file, capping its findings. */
export function inspectFile(
  file: string,
  read: boolean,
  extraction: Extraction,
  inspector: Inspector,
  prepare: (result: ReturnType<Inspector>) => PreparedResult,
  observe?: ManifestScanObserver,
  verdictOf?: PodSecurityPass['verdictOf'],
): FileResult {
  // One push per error: a spread (`push(...list)`) of 150,000 errors exceeds the call stack.
  const errors: ReportError[] = [];
  for (const error of extraction.errors) errors.push(error);
  const kinds = new Set<string>();
  const namespaces = new Set<string>();
  const results: PreparedResult[] = [];
  const engineErrors: EngineError[] = [];
  const podSecurity: NamespaceVerdict[] = [];
  let fileFindings = 0;
  let fileCapReported = false;
  for (const workload of extraction.workloads) {
    kinds.add(workload.kind);
    if (workload.namespace !== null) namespaces.add(workload.namespace);
    const result = inspector(workload, engineErrors);
    observe?.result?.(file, workload, result);
    // Before the cap below: the verdict reads every finding.
    if (verdictOf && workload.namespace !== null)
      podSecurity.push({ namespace: workload.namespace, ...verdictOf(workload, result) });
    const fileRoom = MAX_FINDINGS_PER_FILE - fileFindings;
    const room = Math.min(MAX_FINDINGS_PER_OBJECT, fileRoom);
    if (result.findings.length > room) {
      const line = result.source?.line === undefined ? {} : { line: result.source.line };
      const source = `${file} (${describeWorkload(workload)})`;
      if (result.findings.length > fileRoom) {
        if (!fileCapReported)
          errors.push({
            source,
            message: `the file has more than ${MAX_FINDINGS_PER_FILE} findings; the rest of its findings are not listed`,
            ...line,
          });
        fileCapReported = true;
      } else {
        errors.push({
          source,
          message: `${result.findings.length} findings; only the first ${room} are listed (at most ${MAX_FINDINGS_PER_OBJECT} per object)`,
          ...line,
        });
      }
      result.findings.length = room;
    }
    fileFindings += result.findings.length;
    results.push(prepare(result));
  }
  return {
    read,
    errors,
    skipped: [...extraction.skipped],
    kinds: [...kinds],
    namespaces: [...namespaces],
    workloads: extraction.workloads.length,
    results,
    engineErrors,
    ...(verdictOf ? { podSecurity } : {}),
  };
}

/** What the files of a scan held, gathered from their results in file order. */
export interface ScanTally {
  readonly errors: ReportError[];
  readonly engineErrors: EngineError[];
  readonly skipped: Map<string, number>;
  readonly kindsRead: Set<string>;
  readonly namespacesRead: Set<string>;
  workloadsRead: number;
  filesRead: number;
  /** Every namespaced workload's PSS verdict, in file order (when the scan tallies them). */
  readonly podSecurity: NamespaceVerdict[];
}

export function emptyTally(errors: ReportError[] = []): ScanTally {
  return {
    errors,
    engineErrors: [],
    skipped: new Map(),
    kindsRead: new Set(),
    namespacesRead: new Set(),
    workloadsRead: 0,
    filesRead: 0,
    podSecurity: [],
  };
}

/** Adds one file's result to the tally and its subjects to the report. */
export function addFileResult(tally: ScanTally, assembler: ReportAssembler, result: FileResult): void {
  if (result.read) tally.filesRead++;
  for (const error of result.errors) tally.errors.push(error);
  for (const [kind, count] of result.skipped) tally.skipped.set(kind, (tally.skipped.get(kind) ?? 0) + count);
  for (const kind of result.kinds) tally.kindsRead.add(kind);
  for (const namespace of result.namespaces) tally.namespacesRead.add(namespace);
  tally.workloadsRead += result.workloads;
  for (const prepared of result.results) assembler.addPrepared(prepared);
  for (const error of result.engineErrors) tally.engineErrors.push(error);
  for (const verdict of result.podSecurity ?? []) tally.podSecurity.push(verdict);
}

/** Where a manifest scan spends its time (the benchmark reads these), in milliseconds. */
export interface ManifestScanTimings {
  readMs: number;
  decodeMs: number;
  inspectMs: number;
  buildMs: number;
}

/**
 * The files' texts in order, one file ahead: the next file is read while this one is decoded and
 * inspected, so only this file's documents are in memory.
 */
export async function* readAhead(
  files: readonly string[],
  options: ManifestOptions,
  timings: ManifestScanTimings | undefined,
): AsyncGenerator<{ file: string; read: string | ManifestFile }> {
  let next = files.length > 0 ? readManifestText(files[0] as string, options) : undefined;
  for (let i = 0; i < files.length; i++) {
    const mark = monotonicMs();
    const read = await (next as Promise<string | ManifestFile>);
    next = i + 1 < files.length ? readManifestText(files[i + 1] as string, options) : undefined;
    if (timings) timings.readMs += monotonicMs() - mark;
    yield { file: files[i] as string, read };
  }
}

/**
 * Whether a file's text may hold an object of one of `kinds`: the kind's name as a whole word (or its
 * typed list, `ServiceAccountList`). A substring test would also take `automountServiceAccountToken` for
 * a ServiceAccount and keep every workload of such a file decoded until the end of the scan.
 */
export function kindMentions(kinds: ReadonlySet<string>): (text: string) => boolean {
  if (kinds.size === 0) return () => false;
  const names = [...kinds].map((kind) => kind.replace(/[^A-Za-z0-9]/g, '')).join('|');
  const pattern = new RegExp(`(?<![A-Za-z0-9_])(?:${names})(?:List)?(?![A-Za-z0-9_])`);
  return (text) => pattern.test(text);
}
