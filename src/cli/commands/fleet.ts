import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Language } from '../../engine/i18n.ts';
import type { FleetFlags } from '../fleet.ts';
import { parseLanguageOption } from '../options.ts';
import type { LoadRegistry } from '../program.ts';
import { DEFAULT_NAMESPACE } from './kube-options.ts';

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

export function registerFleetCommand(program: Command, registry: LoadRegistry): void {
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
      const { runFleet } = await import('../fleet.ts');
      process.exitCode = await runFleet(flags, await registry());
    });
}
