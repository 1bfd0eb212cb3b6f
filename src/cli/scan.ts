import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { ConfigFile } from '../config/schema.ts';
import type { Language } from '../engine/i18n.ts';
import { PssVersionError } from '../engine/pss-version.ts';
import { atLeast, type Severity } from '../engine/severity.ts';
import { scanCluster } from '../pipeline/scan-cluster.ts';
import { scanManifests } from '../pipeline/scan-manifests.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { resolveSettings, type ScanSettings } from '../pipeline/settings.ts';
import type { ClusterScope } from '../sources/cluster.ts';
import { connectFromFlags } from './kube.ts';
import type { InspectionReport } from '../report/model.ts';
import {
  OUT_DIR_FILES,
  OUTPUT_FORMATS,
  renderReportChunks,
  type OutputFormat,
} from '../report/render/index.ts';
import {
  parseLanguageOption,
  parseSeverityOption,
  parseMiBOption,
  readAllStdin,
  writeChunks,
  writeError,
} from './options.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../sources/manifests.ts';

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
}

/** Exit status per the CLI contract: 2 input errors, 1 a finding at or above --fail-on, else 0. */
export function exitStatus(
  report: InspectionReport,
  inputErrors: boolean,
  failOn: Severity | undefined,
): number {
  if (inputErrors) return 2;
  if (failOn && report.findings.some((f) => !f.exempted && atLeast(f.severity, failOn))) return 1;
  return 0;
}

export async function loadConfigOrDefault(
  file: string | undefined,
  registry: RuleRegistry,
): Promise<ConfigFile> {
  return file ? loadConfigFile(file, registry.knownIds, undefined, registry.knownOptions) : {};
}

export function registerScanCommand(program: Command, registry: RuleRegistry): void {
  program
    .command('scan')
    .argument(
      '[path...]',
      'files or directories of manifests (*.yaml, *.yml, *.json), or - for stdin; none: the cluster of the current kubeconfig context',
    )
    .description('inspect workloads from manifest files or from a cluster')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--out-dir <dir>', 'also write report.json, report.html and report.sarif into this directory')
    .option('--config <file>', 'config file (rules, severities, exemptions)')
    .option('--pss-version <version>', 'Pod Security Standards version: latest or v1.25 and up')
    .option('--nodes', "also inspect nodes: each kubelet's seccompDefault (config: nodes: true)")
    .option('--lang <lang>', 'report language: en or zh-CN', parseLanguageOption)
    .option(
      '--fail-on <severity>',
      'exit 1 when an unexempted finding is at or above this severity',
      parseSeverityOption,
    )
    .option(
      '--max-file-size <MiB>',
      `largest manifest file, pipe or standard input read, in MiB (default ${DEFAULT_MAX_FILE_BYTES / 1048576})`,
      parseMiBOption,
    )
    .option('--kubeconfig <file>', 'kubeconfig for cluster scans')
    .option('--context <name>', 'kubeconfig context for cluster scans')
    .option(
      '-n, --namespace <ns>',
      'cluster scans: only this namespace (comma-separated names or globs for several)',
    )
    .option(
      '-A, --all-namespaces',
      "cluster scans: every namespace (the default; overrides the config's scope.namespaces)",
    )
    .action(async (paths: string[], options: ScanOptions) => {
      process.exitCode = await runScan(registry, paths, options);
    });
}

export async function runScan(
  registry: RuleRegistry,
  paths: readonly string[],
  options: ScanOptions,
): Promise<number> {
  let settings;
  let config: ConfigFile;
  try {
    config = await loadConfigOrDefault(options.config, registry);
    settings = resolveSettings(registry, config, options, new Date());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PssVersionError) {
      writeError(error.message);
      return 2;
    }
    throw error;
  }
  const { report, inputErrors } =
    paths.length === 0
      ? await scanCurrentCluster(config, settings, options)
      : await scanManifests(paths, settings, {
          readStdin: readAllStdin,
          ...(options.maxFileSize ? { maxFileBytes: options.maxFileSize } : {}),
        });
  for (const error of report.errors) {
    writeError(`${error.source}${error.line ? `:${error.line}` : ''}: ${error.message}`);
  }
  await emitReport(report, options, registry);
  return exitStatus(report, inputErrors, settings.failOn);
}

export async function emitReport(
  report: InspectionReport,
  options: Pick<ScanOptions, 'output' | 'outDir'>,
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
    renderReportChunks(report, options.output, { rules, color, baseDir: process.cwd() }),
  );
}

/** The scope of a cluster scan: `-n` or `-A` on the command line, else the config's `scope`. */
export function clusterScope(
  config: ConfigFile,
  options: Pick<ScanOptions, 'namespace' | 'allNamespaces'>,
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
  return base;
}

async function scanCurrentCluster(
  config: ConfigFile,
  settings: ScanSettings,
  options: ScanOptions,
): Promise<{ report: InspectionReport; inputErrors: boolean }> {
  const client = connectFromFlags(options, config);
  try {
    const { report, unreadable } = await scanCluster(client, settings, {
      scope: clusterScope(config, options),
      list: { pageSize: config.client?.pageSize ?? 500 },
      cluster: client.identity.context,
    });
    // A kind the credentials may not list is an input that could not be read (exit 2), as for files.
    return { report, inputErrors: unreadable.length > 0 || report.errors.length > 0 };
  } finally {
    client.close();
  }
}
