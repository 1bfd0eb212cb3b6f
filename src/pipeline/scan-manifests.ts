import { createInspector, type WorkloadResult } from '../engine/run.ts';
import { buildReport } from '../report/build.ts';
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

/**
 * Reads every PATH (files, directories, `-`) one file at a time, inspects its workloads and builds
 * the report. A bad file becomes an entry in `errors` and never stops the scan of the others.
 */
export async function scanManifests(
  paths: readonly string[],
  settings: ScanSettings,
  options: ManifestOptions = {},
  clock: () => Date = () => new Date(),
): Promise<ManifestScan> {
  const started = performance.now();
  const { files, errors: missing } = await expandPaths(paths);
  const errors: ReportError[] = missing.flatMap((m) => m.extraction.errors);
  const skipped = new Map<string, number>();
  const results: WorkloadResult[] = [];
  const inspector = createInspector(settings.engine);
  const engineErrors: { source: string; message: string }[] = [];
  // One file ahead: the next file is read while this one is decoded and inspected. Only this file's
  // documents are in memory; they are dropped once its workloads are inspected.
  let next = files.length > 0 ? readManifestText(files[0] as string, options) : undefined;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    const read = await (next as Promise<string | ManifestFile>);
    next = i + 1 < files.length ? readManifestText(files[i + 1] as string, options) : undefined;
    const { extraction } = typeof read === 'string' ? decodeManifests(file, read) : read;
    errors.push(...extraction.errors);
    for (const [kind, count] of extraction.skipped) skipped.set(kind, (skipped.get(kind) ?? 0) + count);
    for (const workload of extraction.workloads) results.push(inspector(workload, engineErrors));
  }
  const inputErrors = errors.length > 0;
  const report = buildReport({
    results,
    errors: [...errors, ...engineErrors],
    skipped,
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'manifests',
    pssVersion: settings.engine.version,
    generatedAt: clock(),
    toolVersion: toolVersion(),
    durationMs: performance.now() - started,
  });
  return { report, inputErrors };
}
