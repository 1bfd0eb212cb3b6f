import { createReportAssembler, type ReportAssembler } from '../report/build.ts';
import type { DiffBase } from '../report/diff.ts';
import type { InspectionReport } from '../report/model.ts';
import { expandPaths, type ManifestOptions } from '../sources/manifests.ts';
import { toolVersion } from '../version.ts';
import {
  addFileResult,
  emptyTally,
  type ManifestScanObserver,
  type ManifestScanTimings,
  type ScanTally,
} from './manifest-files.ts';
import { planWorkers, scanInWorkers, type WorkerOptions } from './parallel-scan.ts';
import { scanFiles } from './scan-files.ts';
import type { ScanSettings } from './settings.ts';
import type { KubeObject } from '../engine/subject.ts';
import { createPodSecurityPass, wantsPodSecurity } from './pod-security.ts';
import { objectKindsToRead } from './subjects.ts';
import { monotonicMs } from '../shared/clock.ts';

export {
  kindMentions,
  MAX_FINDINGS_PER_FILE,
  MAX_FINDINGS_PER_OBJECT,
  type ManifestScanTimings,
} from './manifest-files.ts';

export interface ManifestScan {
  readonly report: InspectionReport;
  /** True when some input could not be read or parsed (exit status 2). */
  readonly inputErrors: boolean;
  /** Worker threads that decoded and inspected files beside this thread (0: all on this thread). */
  readonly workers: number;
}

export interface ManifestScanOptions extends ManifestOptions {
  /** Filled in when given: the time of each stage. */
  readonly timings?: ManifestScanTimings;
  /** The version the report names (tests and benchmarks fix it). */
  readonly toolVersion?: string;
  /** An earlier report of the same files, for the diff of new and resolved findings. */
  readonly previous?: InspectionReport | DiffBase;
  /**
   * Decode and inspect the files in worker threads when the input is large enough (or always, with a
   * count): see parallel-scan.ts. Without it the scan stays on this thread.
   */
  readonly workers?: WorkerOptions;
  /** Sees each file's text and each workload's result; keeps the scan on this thread. */
  readonly observe?: ManifestScanObserver;
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
  const started = monotonicMs();
  const timings = options.timings;
  const { files, errors: missing } = await expandPaths(paths);
  const tally = emptyTally(missing.flatMap((m) => m.extraction.errors));
  const assembler = createReportAssembler({
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'manifests',
    pssVersion: settings.engine.version,
    toolVersion: options.toolVersion ?? toolVersion(),
  });
  const parallel =
    options.workers && !options.observe ? await planWorkers(files, options.workers) : undefined;
  const objects = parallel
    ? await scanInWorkers(parallel, settings, options, tally, assembler)
    : await scanHere(files, settings, options, tally, assembler);
  const { errors, engineErrors } = tally;
  // Namespaces come last: their rules read the tally of every workload.
  const podSecurity = wantsPodSecurity(objectKindsToRead(settings))
    ? createPodSecurityPass(settings)
    : undefined;
  if (podSecurity) for (const verdict of tally.podSecurity) podSecurity.count(verdict, verdict);
  const namespaces = podSecurity?.finish(
    objects,
    objects.map((o) => o.kind),
    () => true,
    engineErrors,
  );
  for (const result of namespaces?.results ?? []) assembler.add(result);
  const inputErrors = errors.length > 0;
  const mark = monotonicMs();
  const report = assembler.finish({
    errors: [...errors, ...engineErrors],
    skipped: tally.skipped,
    generatedAt: clock(),
    durationMs: monotonicMs() - started,
    ...(namespaces ? { podSecurity: namespaces.advice } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    // Every error here is input not inspected (a path, a file, a document or an object): partial.
    coverage: {
      partial: errors.length > 0 || engineErrors.length > 0,
      kindsListed: [...tally.kindsRead].sort(),
      denied: [],
      workloadsInspected: tally.workloadsRead,
      namespacesSeen: tally.namespacesRead.size,
      filesRead: tally.filesRead,
    },
  });
  if (timings) timings.buildMs += monotonicMs() - mark;
  return { report, inputErrors, workers: parallel ? parallel.shares.length - 1 : 0 };
}

/**
 * The scan on this thread: the files' results go straight into the report, in file order. Returns the
 * objects of the files (two-pass scans; none otherwise).
 */
async function scanHere(
  files: readonly string[],
  settings: ScanSettings,
  options: ManifestScanOptions,
  tally: ScanTally,
  assembler: ReportAssembler,
): Promise<readonly KubeObject[]> {
  let all: readonly KubeObject[] = [];
  await scanFiles(files, settings, options, {
    facts: (objects) => (all = objects),
    subjects(results, engineErrors) {
      for (const result of results) assembler.addPrepared(result);
      for (const error of engineErrors) tally.engineErrors.push(error);
    },
    file: (_index, result) => addFileResult(tally, assembler, result),
  });
  return all;
}
