import { Option, type Command } from 'commander';
import { AUTO_WORKERS_MIN_BYTES } from '../../pipeline/auto-workers.ts';
import { OUTPUT_FORMATS } from '../../report/render/formats.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../../sources/limits.ts';
import {
  parseLanguageOption,
  parseMiBOption,
  parseMinSeverityOption,
  parseSeverityOption,
} from '../options.ts';
import type { LoadRegistry } from '../program.ts';
import type { ScanOptions } from '../scan.ts';
import { parseWorkersOption, WORKERS_ENV } from './workers-option.ts';

export function registerScanCommand(program: Command, registry: LoadRegistry): void {
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
    .option(
      '--min-severity <severity>',
      'table and line output: list findings at or above this severity (default: medium for table, all for line); the summary counts every finding',
      parseMinSeverityOption,
    )
    .option('--allow-empty', 'with --fail-on: a scan that inspects no workload is not a failure')
    .option(
      '--workers <n>',
      `manifest scans: worker threads that decode and inspect files beside the main thread, 0 for none (default: auto, one per further core for inputs of ${AUTO_WORKERS_MIN_BYTES / 1048576} MiB and more; env ${WORKERS_ENV})`,
      parseWorkersOption,
    )
    .option('--kubeconfig <file>', 'kubeconfig for cluster scans')
    .option('--context <name>', 'kubeconfig context for cluster scans')
    .option(
      '-n, --namespace <ns>',
      "cluster scans: only this namespace (comma-separated names or globs); default: the config's scope, else the context's namespace, else every namespace",
    )
    .option(
      '-A, --all-namespaces',
      "cluster scans: every namespace (overrides the config's scope and the context's namespace)",
    )
    .action(async (paths: string[], options: ScanOptions) => {
      const { runScan } = await import('../scan.ts');
      process.exitCode = await runScan(await registry(), paths, options);
    });
}
