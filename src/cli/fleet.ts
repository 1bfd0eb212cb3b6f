import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Language } from '../engine/i18n.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { collectFleet, incomplete } from '../fleet/collect.ts';
import { buildFleetReport } from '../fleet/digest.ts';
import { writeClusterReport } from '../fleet/files.ts';
import type { FleetTarget } from '../fleet/model.ts';
import { renderFleetHtml, renderFleetJson } from '../fleet/render.ts';
import {
  FleetTargetError,
  kubeconfigContexts,
  kubeconfigFiles,
  targetsFromContexts,
  targetsFromFleetFile,
} from '../fleet/targets.ts';
import { connect } from '../kube/client.ts';
import { toolVersion } from '../version.ts';
import { DEFAULT_NAMESPACE } from './operator.ts';
import { parseLanguageOption, writeStdout } from './options.ts';

interface FleetFlags {
  kubeconfig?: string;
  context?: string;
  allContexts?: boolean;
  fleet?: string;
  namespace?: string;
  name: string;
  outDir?: string;
  output?: 'html' | 'json';
  lang: Language;
  concurrency: number;
  staleAfter: number;
  timeout: number;
}

/** `90m`, `12h`, `2d` (or plain seconds) → seconds. */
export function parseDurationOption(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90m, 12h or 2d');
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError('expected a whole number 1-256');
  return n;
}

function chooseTargets(flags: FleetFlags): FleetTarget[] {
  const given = [flags.context, flags.allContexts, flags.fleet].filter((x) => x !== undefined && x !== false);
  if (given.length !== 1)
    throw new FleetTargetError('name the clusters with one of --context, --all-contexts, --fleet');
  const defaults = { namespace: flags.namespace ?? DEFAULT_NAMESPACE, configMap: flags.name };
  if (flags.fleet) return targetsFromFleetFile(flags.fleet, defaults);
  if (flags.allContexts)
    return targetsFromContexts(kubeconfigContexts(kubeconfigFiles(flags.kubeconfig)), defaults);
  return targetsFromContexts((flags.context ?? '').split(','), defaults);
}

export function registerFleetCommand(program: Command, registry: RuleRegistry): void {
  program
    .command('fleet')
    .description(
      "one page of many clusters: reads each context's latest stored report and history (read-only; docs/fleet.md)",
    )
    .option('--context <names>', 'kubeconfig contexts, comma-separated')
    .option('--all-contexts', 'every context of the kubeconfig')
    .option('--fleet <file>', 'a fleet file listing contexts and display names (docs/fleet.md)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('-n, --namespace <ns>', `the operators' namespace (default: ${DEFAULT_NAMESPACE})`)
    .option('--name <configmap>', 'the report ConfigMap', 'kube-patrol-report')
    .option(
      '--out-dir <dir>',
      'write index.html, fleet.json and each cluster report (clusters/<n>-<name>/report.{html,json})',
    )
    .addOption(
      new Option('-o, --output <format>', 'print the fleet report to stdout').choices(['html', 'json']),
    )
    .option('--lang <lang>', 'language of the fleet page (en, zh-CN)', parseLanguageOption, 'en' as Language)
    .option('--concurrency <n>', 'clusters read at once (one connection each)', positiveInt, 4)
    .option('--stale-after <duration>', 'a report older than this is stale', parseDurationOption, 24 * 3600)
    .option('--timeout <duration>', 'per request to an API server', parseDurationOption, 10)
    .action(async (flags: FleetFlags) => {
      process.exitCode = await runFleet(flags, registry);
    });
}

async function runFleet(flags: FleetFlags, registry: RuleRegistry): Promise<number> {
  let targets: FleetTarget[];
  try {
    targets = chooseTargets(flags);
  } catch (error) {
    if (!(error instanceof FleetTargetError)) throw error;
    process.stderr.write(`kube-patrol: ${error.message}\n`);
    return 2;
  }
  const outDir = flags.outDir ? resolve(flags.outDir) : undefined;
  const output = flags.output ?? (outDir ? undefined : 'json');
  const now = new Date();
  const collected = await collectFleet(targets, {
    now,
    staleAfterSeconds: flags.staleAfter,
    concurrency: flags.concurrency,
    connect: (target) =>
      connect({
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        context: target.context,
        timeoutMs: flags.timeout * 1000,
        // One retry: an unreachable cluster costs one timeout, not three.
        retries: 1,
      }),
    ...(outDir
      ? {
          writeReport: (
            target: FleetTarget,
            index: number,
            report: Parameters<typeof writeClusterReport>[3],
          ) => writeClusterReport(outDir, target, index, report, registry.meta),
        }
      : {}),
  });
  const fleet = buildFleetReport({
    now,
    lang: flags.lang,
    toolVersion: toolVersion(),
    staleAfterSeconds: flags.staleAfter,
    clusters: collected,
  });
  if (outDir) {
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'index.html'), renderFleetHtml(fleet));
    await writeFile(join(outDir, 'fleet.json'), renderFleetJson(fleet));
    process.stderr.write(
      `kube-patrol: wrote ${join(outDir, 'index.html')} and ${join(outDir, 'fleet.json')}\n`,
    );
  }
  if (output) await writeStdout(output === 'html' ? renderFleetHtml(fleet) : renderFleetJson(fleet));
  const unread = fleet.clusters.filter(incomplete);
  for (const row of unread)
    process.stderr.write(`kube-patrol: ${row.name}: ${row.status}${row.problem ? `: ${row.problem}` : ''}\n`);
  return unread.length > 0 ? 2 : 0;
}
