import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { ConfigFile } from '../config/schema.ts';
import type { Language } from '../engine/i18n.ts';
import { PssVersionError } from '../engine/pss-version.ts';
import { atLeast, SEVERITIES, type Severity } from '../engine/severity.ts';
import { scanManifests } from '../pipeline/scan-manifests.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { resolveSettings, type ScanSettings, type SettingsFlags } from '../pipeline/settings.ts';
import type { ClusterScope } from '../sources/cluster.ts';
import { inspectedNothing, type InspectionReport } from '../report/model.ts';
import { OUT_DIR_FILES, renderReportChunks, type OutputFormat } from '../report/render/index.ts';
import { readAllStdin, writeChunks, writeError } from './options.ts';
import type { WorkerOptions } from '../pipeline/parallel-scan.ts';
import { scanWorkerOptions } from './workers.ts';

export interface ScanOptions {
  output: OutputFormat;
  outDir?: string;
  config?: string;
  pssVersion?: string;
  lang?: Language;
  failOn?: Severity;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  nodes?: boolean;
  /** Bytes (from `--max-file-size`, given in MiB). */
  maxFileSize?: number;
  minSeverity?: Severity;
  allowEmpty?: boolean;
  workers?: number | 'auto';
}

/**
 * Exit status per the CLI contract: 2 input errors (or, under --fail-on, nothing inspected without
 * --allow-empty), 1 a finding at or above --fail-on, else 0.
 */
export function exitStatus(
  report: InspectionReport,
  inputErrors: boolean,
  failOn: Severity | undefined,
  allowEmpty = false,
): number {
  if (inputErrors) return 2;
  if (failOn && !allowEmpty && inspectedNothing(report)) return 2;
  if (failOn && report.findings.some((f) => !f.exempted && atLeast(f.severity, failOn))) return 1;
  return 0;
}

/**
 * The one stderr line that says why --fail-on failed the run, e.g.
 * `--fail-on high: 3 unexempted findings at or above high (1 critical, 2 high)`.
 */
export function failOnMessage(report: InspectionReport, failOn: Severity): string | undefined {
  const counts = new Map<Severity, number>();
  for (const f of report.findings)
    if (!f.exempted && atLeast(f.severity, failOn)) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const parts = SEVERITIES.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  return `--fail-on ${failOn}: ${total} unexempted finding${total === 1 ? '' : 's'} at or above ${failOn} (${parts.join(', ')})`;
}

/** The warning for a scan that inspected nothing: what it read, and why that is not a pass. */
export function emptyScanMessage(
  report: InspectionReport,
  failOn: Severity | undefined,
  allowEmpty: boolean,
): string {
  const c = report.coverage;
  const read =
    report.metadata.source === 'manifests'
      ? `${c?.filesRead ?? 0} file${c?.filesRead === 1 ? '' : 's'} read`
      : `cluster ${report.metadata.cluster ?? ''}`.trim();
  const skipped = Object.entries(report.summary.skipped).map(([kind, n]) => `${kind} ${n}`);
  const what = skipped.length > 0 ? `, only objects without a pod template (${skipped.join(', ')})` : '';
  const verdict = !failOn
    ? 'no score'
    : allowEmpty
      ? '--allow-empty: not a failure'
      : `a failure under --fail-on (give --allow-empty if an empty input is expected)`;
  return `warning: no workload inspected (${read}${what}): ${verdict}`;
}

export async function loadConfigOrDefault(
  file: string | undefined,
  registry: RuleRegistry,
): Promise<ConfigFile> {
  return file ? loadConfigFile(file, registry.knownIds, undefined, registry.knownOptions) : {};
}

/**
 * The config file and the settings it resolves to with the flags; a bad config or PSS version is written
 * to stderr and gives undefined (exit status 2).
 */
export async function loadSettings(
  registry: RuleRegistry,
  options: { config?: string } & SettingsFlags,
): Promise<{ config: ConfigFile; settings: ScanSettings } | undefined> {
  try {
    const config = await loadConfigOrDefault(options.config, registry);
    return { config, settings: resolveSettings(registry, config, options, new Date()) };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PssVersionError) {
      writeError(error.message);
      return undefined;
    }
    throw error;
  }
}

export async function runScan(
  registry: RuleRegistry,
  paths: readonly string[],
  options: ScanOptions,
): Promise<number> {
  const loaded = await loadSettings(registry, options);
  if (!loaded) return 2;
  const { config, settings } = loaded;
  if (paths.length > 0 && (options.namespace || options.allNamespaces)) {
    // Silently ignoring -n would scan (and pass) more than was asked for.
    process.stderr.write(
      `kube-patrol: ${options.namespace ? '-n' : '-A'} applies to cluster scans (no PATH); a manifest scan reads every object of the files given\n`,
    );
    return 2;
  }
  const scanned =
    paths.length === 0
      ? await scanCurrentCluster(config, settings, options)
      : await scanManifests(paths, settings, {
          ...scanWorkersOf(registry, config, options, settings),
          readStdin: readAllStdin,
          ...(options.maxFileSize ? { maxFileBytes: options.maxFileSize } : {}),
        });
  if (typeof scanned === 'number') return scanned;
  const { report, inputErrors } = scanned;
  for (const error of report.errors) {
    writeError(`${error.source}${error.line ? `:${error.line}` : ''}: ${error.message}`);
  }
  const allowEmpty = options.allowEmpty === true;
  if (inspectedNothing(report))
    process.stderr.write(`kube-patrol: ${emptyScanMessage(report, settings.failOn, allowEmpty)}\n`);
  await emitReport(report, options, registry);
  const status = exitStatus(report, inputErrors, settings.failOn, allowEmpty);
  const tripped = status === 1 && settings.failOn ? failOnMessage(report, settings.failOn) : undefined;
  if (tripped) process.stderr.write(`kube-patrol: ${tripped}\n`);
  return status;
}

function scanWorkersOf(
  registry: RuleRegistry,
  config: ConfigFile,
  options: ScanOptions,
  settings: ScanSettings,
): { workers?: WorkerOptions } {
  const workers = scanWorkerOptions(options.workers, registry, config, options, settings, (message) =>
    process.stderr.write(`kube-patrol: ${message}\n`),
  );
  return workers ? { workers } : {};
}

export async function emitReport(
  report: InspectionReport,
  options: Pick<ScanOptions, 'output' | 'outDir' | 'minSeverity'>,
  registry: RuleRegistry,
): Promise<void> {
  const rules = registry.meta;
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    // One file at a time, JSON in pieces: a large report is never held in several renderings at once.
    for (const [name, format] of Object.entries(OUT_DIR_FILES)) {
      const file = createWriteStream(join(options.outDir, name));
      await writeChunks(file, renderReportChunks(report, format, { rules, baseDir: process.cwd() }));
      file.end();
      await finished(file);
    }
  }
  const color = options.output === 'table' && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  await writeChunks(
    process.stdout,
    renderReportChunks(report, options.output, {
      rules,
      color,
      baseDir: process.cwd(),
      ...(options.minSeverity ? { minSeverity: options.minSeverity } : {}),
    }),
  );
}

/**
 * The scope of a cluster scan, kubectl-style: `-n` or `-A` on the command line, else the config's
 * `scope.namespaces`, else the context's namespace, else every namespace.
 */
export function clusterScope(
  config: ConfigFile,
  options: Pick<ScanOptions, 'namespace' | 'allNamespaces'>,
  contextNamespace?: string,
): ClusterScope {
  const base = config.scope ?? {};
  if (options.namespace)
    return {
      ...base,
      namespaces: options.namespace
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
      excludeNamespaces: [],
    };
  if (options.allNamespaces) return { ...base, namespaces: [] };
  if (base.namespaces?.length || !contextNamespace) return base;
  return { ...base, namespaces: [contextNamespace] };
}

/** Names in the scope written without glob characters: each must exist, or the scan is of nothing. */
export function literalNamespaces(scope: ClusterScope): string[] {
  return (scope.namespaces ?? []).filter((n) => !/[*?[\]]/.test(n));
}

async function scanCurrentCluster(
  config: ConfigFile,
  settings: ScanSettings,
  options: ScanOptions,
): Promise<{ report: InspectionReport; inputErrors: boolean } | number> {
  // The cluster source and the API client load only for a cluster scan: a file scan never needs them.
  const [{ scanCluster }, { namespaceExists, withClient }] = await Promise.all([
    import('../pipeline/scan-cluster.ts'),
    import('./kube.ts'),
  ]);
  return withClient(options, config, async (client) => {
    const fromContext =
      !options.namespace && !options.allNamespaces && !config.scope?.namespaces?.length
        ? client.identity.namespace
        : undefined;
    const scope = clusterScope(config, options, fromContext);
    if (fromContext)
      process.stderr.write(
        `kube-patrol: scanning namespace "${fromContext}", the namespace of context ${client.identity.context} (-A scans every namespace)\n`,
      );
    for (const namespace of literalNamespaces(scope)) {
      if ((await namespaceExists(client, namespace)) === false) {
        process.stderr.write(
          `kube-patrol: namespace "${namespace}" does not exist in context ${client.identity.context}\n`,
        );
        return 2;
      }
    }
    const { report, unreadable } = await scanCluster(client, settings, {
      scope,
      list: { pageSize: config.client?.pageSize ?? 500 },
      cluster: client.identity.context,
    });
    // A kind the credentials may not list is an input that could not be read (exit 2), as for files.
    return { report, inputErrors: unreadable.length > 0 || report.errors.length > 0 };
  });
}
