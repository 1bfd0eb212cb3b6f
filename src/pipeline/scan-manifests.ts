import { createInspector, type EngineError, type Inspector, type WorkloadResult } from '../engine/run.ts';
import { createFacts, type KubeObject } from '../engine/subject.ts';
import { createReportAssembler } from '../report/build.ts';
import type { DiffBase } from '../report/diff.ts';
import type { InspectionReport, ReportError } from '../report/model.ts';
import {
  decodeManifests,
  expandPaths,
  readManifestText,
  type ManifestFile,
  type ManifestOptions,
} from '../sources/manifests.ts';
import { toolVersion } from '../version.ts';
import { describeWorkload, type Workload } from '../workloads/model.ts';
import { emptyExtraction, type Extraction } from '../workloads/extract.ts';
import type { ScanSettings } from './settings.ts';
import { inspectObjectSubjects, objectKindsToRead } from './subjects.ts';
import { createPodSecurityPass, inspectedFirst, wantsPodSecurity } from './pod-security.ts';

/**
 * At most this many findings are listed per object and per file; beyond, the rest are dropped with an
 * error naming the file and object (exit status 2). The score of the object still counts every
 * finding. A hostile file (aliases that repeat a container list, one Pod with 20,000 containers)
 * would otherwise grow the report by millions of findings nobody can act on.
 */
export const MAX_FINDINGS_PER_OBJECT = 5_000;
export const MAX_FINDINGS_PER_FILE = 50_000;

export interface ManifestScan {
  readonly report: InspectionReport;
  /** True when some input could not be read or parsed (exit status 2). */
  readonly inputErrors: boolean;
}

/** Where a manifest scan spends its time (the benchmark reads these), in milliseconds. */
export interface ManifestScanTimings {
  readMs: number;
  decodeMs: number;
  inspectMs: number;
  buildMs: number;
}

export interface ManifestScanOptions extends ManifestOptions {
  /** Filled in when given: the time of each stage. */
  readonly timings?: ManifestScanTimings;
  /** The version the report names (tests and benchmarks fix it). */
  readonly toolVersion?: string;
  /** An earlier report of the same files, for the diff of new and resolved findings. */
  readonly previous?: InspectionReport | DiffBase;
  /** Sees each file's text as read and each workload's result (`kube-patrol fix` edits from them). */
  readonly observe?: ManifestScanObserver;
}

export interface ManifestScanObserver {
  text?(file: string, text: string): void;
  result?(file: string, workload: Workload, result: WorkloadResult): void;
}

/**
 * Reads every PATH (files, directories, `-`) one file at a time, inspects its workloads and builds
 * the report. A bad file becomes an entry in `errors` and never stops the scan of the others.
 */
export async function scanManifests(
  paths: readonly string[],
  settings: ScanSettings,
  options: ManifestScanOptions = {},
  clock: () => Date = () => new Date(),
): Promise<ManifestScan> {
  const started = performance.now();
  const timings = options.timings;
  const { files, errors: missing } = await expandPaths(paths);
  const errors: ReportError[] = missing.flatMap((m) => m.extraction.errors);
  const skipped = new Map<string, number>();
  const inspector = createInspector(settings.engine);
  const assembler = createReportAssembler({
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'manifests',
    pssVersion: settings.engine.version,
    toolVersion: options.toolVersion ?? toolVersion(),
  });
  const engineErrors: EngineError[] = [];
  // What the files held, for the report's coverage.
  const kindsRead = new Set<string>();
  const namespacesRead = new Set<string>();
  let workloadsRead = 0;
  const collect = objectKindsToRead(settings);
  const podSecurity = wantsPodSecurity(collect) ? createPodSecurityPass(settings) : undefined;
  const addFile = (file: string, extraction: Extraction, inspector: Inspector) => {
    // One push per error: a spread (`push(...list)`) of 150,000 errors exceeds the call stack.
    for (const error of extraction.errors) errors.push(error);
    for (const [kind, count] of extraction.skipped) skipped.set(kind, (skipped.get(kind) ?? 0) + count);
    const mark = performance.now();
    let fileFindings = 0;
    let fileCapReported = false;
    for (const workload of extraction.workloads) {
      kindsRead.add(workload.kind);
      if (workload.namespace !== null) namespacesRead.add(workload.namespace);
      workloadsRead++;
      const result = inspector(workload, engineErrors);
      if (podSecurity) podSecurity.count(workload, podSecurity.verdictOf(workload, result));
      options.observe?.result?.(file, workload, result);
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
      assembler.add(result);
    }
    if (timings) timings.inspectMs += performance.now() - mark;
  };
  const decode = (file: string, read: string | ManifestFile): Extraction => {
    const mark = performance.now();
    const { extraction } = typeof read === 'string' ? decodeManifests(file, read, collect) : read;
    if (timings) timings.decodeMs += performance.now() - mark;
    return extraction;
  };
  // Rules that read other objects (facts) or inspect objects need every such object before any workload
  // is inspected: a first pass decodes the files that may hold one (their text names a kind asked for)
  // and keeps the rest as text for the second pass. Without such rules, one pass as before.
  const pending: ({ file: string; extraction: Extraction } | { file: string; text: string })[] = [];
  const objects: KubeObject[] = [];
  const namesKind = kindMentions(collect);
  let filesRead = 0;
  for await (const { file, read } of readAhead(files, options, timings)) {
    if (typeof read === 'string') {
      filesRead++;
      options.observe?.text?.(file, read);
    }
    if (collect.size === 0) {
      addFile(file, decode(file, read), inspector);
    } else if (typeof read === 'string' && !namesKind(read)) {
      pending.push({ file, text: read });
    } else {
      const extraction = decode(file, read);
      pending.push({ file, extraction });
      for (const object of extraction.objects) objects.push(object);
    }
  }
  if (collect.size > 0) {
    // In files, a kind counts as known when the files hold at least one object of it.
    const facts = createFacts(
      objects,
      objects.map((o) => o.kind),
    );
    const withFacts = createInspector(settings.engine, facts);
    for (const result of inspectObjectSubjects(
      inspectedFirst(objects, podSecurity),
      settings,
      facts,
      engineErrors,
    ))
      assembler.add(result);
    // Files in their order; each is let go once inspected.
    for (let i = 0; i < pending.length; i++) {
      const entry = pending[i] as { file: string; extraction: Extraction } | { file: string; text: string };
      addFile(entry.file, 'text' in entry ? decode(entry.file, entry.text) : entry.extraction, withFacts);
      pending[i] = { file: entry.file, extraction: emptyExtraction() };
    }
  }
  // Namespaces come last: their rules read the tally of every workload.
  const namespaces = podSecurity?.finish(
    objects,
    objects.map((o) => o.kind),
    () => true,
    engineErrors,
  );
  for (const result of namespaces?.results ?? []) assembler.add(result);
  const inputErrors = errors.length > 0;
  const mark = performance.now();
  const report = assembler.finish({
    errors: [...errors, ...engineErrors],
    skipped,
    generatedAt: clock(),
    durationMs: performance.now() - started,
    ...(namespaces ? { podSecurity: namespaces.advice } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    // Every error here is input not inspected (a path, a file, a document or an object): partial.
    coverage: {
      partial: errors.length > 0 || engineErrors.length > 0,
      kindsListed: [...kindsRead].sort(),
      denied: [],
      workloadsInspected: workloadsRead,
      namespacesSeen: namespacesRead.size,
      filesRead,
    },
  });
  if (timings) timings.buildMs += performance.now() - mark;
  return { report, inputErrors };
}

/**
 * The files' texts in order, one file ahead: the next file is read while this one is decoded and
 * inspected, so only this file's documents are in memory.
 */
async function* readAhead(
  files: readonly string[],
  options: ManifestOptions,
  timings: ManifestScanTimings | undefined,
): AsyncGenerator<{ file: string; read: string | ManifestFile }> {
  let next = files.length > 0 ? readManifestText(files[0] as string, options) : undefined;
  for (let i = 0; i < files.length; i++) {
    const mark = performance.now();
    const read = await (next as Promise<string | ManifestFile>);
    next = i + 1 < files.length ? readManifestText(files[i + 1] as string, options) : undefined;
    if (timings) timings.readMs += performance.now() - mark;
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
