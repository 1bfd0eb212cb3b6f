import { createInspector } from '../engine/run.ts';
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
import type { ScanSettings } from './settings.ts';

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
  const assembler = createReportAssembler({
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'manifests',
    pssVersion: settings.engine.version,
    toolVersion: options.toolVersion ?? toolVersion(),
  });
  const inspector = createInspector(settings.engine);
  const engineErrors: { source: string; message: string }[] = [];
  // One file ahead: the next file is read while this one is decoded and inspected. Only this file's
  // documents are in memory; they are dropped once its workloads are inspected.
  let next = files.length > 0 ? readManifestText(files[0] as string, options) : undefined;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    let mark = performance.now();
    const read = await (next as Promise<string | ManifestFile>);
    next = i + 1 < files.length ? readManifestText(files[i + 1] as string, options) : undefined;
    if (timings) timings.readMs += performance.now() - mark;
    mark = performance.now();
    const { extraction } = typeof read === 'string' ? decodeManifests(file, read) : read;
    if (timings) timings.decodeMs += performance.now() - mark;
    for (const error of extraction.errors) errors.push(error);
    for (const [kind, count] of extraction.skipped) skipped.set(kind, (skipped.get(kind) ?? 0) + count);
    mark = performance.now();
    for (const workload of extraction.workloads) assembler.add(inspector(workload, engineErrors));
    if (timings) timings.inspectMs += performance.now() - mark;
  }
  const inputErrors = errors.length > 0;
  const mark = performance.now();
  const report = assembler.finish({
    errors: [...errors, ...engineErrors],
    skipped,
    generatedAt: clock(),
    durationMs: performance.now() - started,
    ...(options.previous ? { previous: options.previous } : {}),
  });
  if (timings) timings.buildMs += performance.now() - mark;
  return { report, inputErrors };
}
