import { createInspector, type WorkloadResult } from '../engine/run.ts';
import { buildReport } from '../report/build.ts';
import type { InspectionReport, ReportError } from '../report/model.ts';
import { expandPaths, readManifestFile, type ManifestOptions } from '../sources/manifests.ts';
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
export async function scanManifests(paths: readonly string[], settings: ScanSettings, options: ManifestOptions = {}, clock: () => Date = () => new Date()): Promise<ManifestScan> {
  const started = performance.now();
  const { files, errors: missing } = await expandPaths(paths);
  const errors: ReportError[] = missing.flatMap((m) => m.extraction.errors);
  const skipped = new Map<string, number>();
  const results: WorkloadResult[] = [];
  const inspector = createInspector(settings.engine);
  const engineErrors: { source: string; message: string }[] = [];
  for (const file of files) {
    const { extraction } = await readManifestFile(file, options);
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
