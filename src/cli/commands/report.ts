import { Option, type Command } from 'commander';
import { OUTPUT_FORMATS } from '../../report/render/formats.ts';
import { parseMinSeverityOption } from '../options.ts';
import type { LoadRegistry } from '../program.ts';
import type { ReportDiffFlags, ReportFlags, ReportGetFlags, ReportOpenFlags } from '../report.ts';
import { addKubeOptions, DEFAULT_NAMESPACE } from './kube-options.ts';

function addReportOptions(command: Command): Command {
  return addKubeOptions(
    command
      .option(
        '-n, --namespace <ns>',
        `the operator's namespace (default: the context's, else ${DEFAULT_NAMESPACE})`,
      )
      .option('--name <configmap>', 'the report ConfigMap', 'kube-patrol-report'),
  );
}

export function registerReportCommand(program: Command, registry: LoadRegistry): void {
  const report = program.command('report').description('read the reports the operator stored in ConfigMaps');

  addReportOptions(
    report
      .command('get')
      .argument('[scan]', 'scan id from `report history` (default: the latest)')
      .description('print the latest (or an older) report; write report.json and report.html with --out-dir')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'),
      )
      .option('--out-dir <dir>', 'also write report.json and report.html into this directory')
      .option(
        '--min-severity <severity>',
        'table and line output: list findings at or above this severity (default: medium for table, all for line)',
        parseMinSeverityOption,
      ),
  ).action(async (scan: string | undefined, flags: ReportGetFlags) => {
    const { reportGet } = await import('../report.ts');
    process.exitCode = await reportGet(await registry(), scan, flags);
  });

  addReportOptions(
    report
      .command('open')
      .argument('[scan]', 'scan id (default: the latest)')
      .description('write the HTML report to a file and open it in the browser')
      .option('-f, --file <path>', 'where to write the HTML', 'kube-patrol-report.html')
      .option('--no-browser', 'only write the file (exit 2 when a browser was asked for and could not open)'),
  ).action(async (scan: string | undefined, flags: ReportOpenFlags) => {
    const { reportOpen } = await import('../report.ts');
    process.exitCode = await reportOpen(await registry(), scan, flags);
  });

  addReportOptions(
    report
      .command('diff')
      .argument('[from]', 'older scan id (default: the one before the newer)')
      .argument('[to]', 'newer scan id (default: the latest)')
      .description('show what changed between two scans: new, resolved, newly exempted, exemption expired')
      .addOption(
        new Option('-o, --output <format>', 'output format')
          .choices(['table', 'json'] as const)
          .default('table'),
      ),
  ).action(async (from: string | undefined, to: string | undefined, flags: ReportDiffFlags) => {
    const { reportDiff } = await import('../report.ts');
    process.exitCode = await reportDiff(from, to, flags);
  });

  addReportOptions(report.command('history').description('list the stored reports (newest first)')).action(
    async (flags: ReportFlags) => {
      const { reportHistory } = await import('../report.ts');
      process.exitCode = await reportHistory(flags);
    },
  );
}
