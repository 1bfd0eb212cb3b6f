import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { KubeClient } from '../kube/client.ts';
import { diffReports } from '../report/diff.ts';
import { withCurrentIds } from '../report/finding-ids.ts';
import type { InspectionReport, ReportDiffEntry } from '../report/model.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import type { RuleMeta } from '../engine/rule.ts';
import { OUTPUT_FORMATS, renderReport, type OutputFormat } from '../report/render/index.ts';
import { readStoredReport, ReportNotFoundError, type StoredReport } from '../sinks/configmap.ts';
import { writeReportFiles } from '../sinks/files.ts';
import { addKubeOptions, connectFromFlags, type KubeFlags } from './kube.ts';
import { DEFAULT_NAMESPACE } from './operator.ts';
import { writeStdout } from './options.ts';

interface ReportFlags extends KubeFlags {
  namespace?: string;
  name: string;
}

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

async function withReport<T>(
  flags: ReportFlags,
  scanId: string | undefined,
  use: (stored: StoredReport, client: KubeClient) => Promise<T>,
): Promise<T> {
  const client = connectFromFlags(flags);
  try {
    const namespace = flags.namespace ?? client.identity.namespace ?? DEFAULT_NAMESPACE;
    return await use(await readStoredReport(client, namespace, flags.name, scanId), client);
  } finally {
    client.close();
  }
}

/** The stored rendering when the operator kept it (same bytes as it wrote), else rendered here. */
async function fileOrRender(
  stored: StoredReport,
  format: 'json' | 'html',
  report: () => Promise<InspectionReport>,
  rules: readonly RuleMeta[],
): Promise<string> {
  return (await stored.file(`report.${format}`)) ?? renderReport(await report(), format, { rules });
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

async function handled(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ReportNotFoundError) {
      process.stderr.write(
        `kube-patrol: ${error.message} (is the operator running, and is -n its namespace?)\n`,
      );
      return 2;
    }
    throw error;
  }
}

export function registerReportCommand(program: Command, registry: RuleRegistry): void {
  const rules = registry.meta;
  const report = program.command('report').description('read the reports the operator stored in ConfigMaps');

  addReportOptions(
    report
      .command('get')
      .argument('[scan]', 'scan id from `report history` (default: the latest)')
      .description('print the latest (or an older) report; write report.json and report.html with --out-dir')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'),
      )
      .option('--out-dir <dir>', 'also write report.json and report.html into this directory'),
  ).action(
    async (scan: string | undefined, flags: ReportFlags & { output: OutputFormat; outDir?: string }) => {
      process.exitCode = await handled(() =>
        withReport(flags, scan, async (stored) => {
          const parsed = memo(() => stored.report());
          if (flags.outDir) {
            const written = await writeReportFiles(flags.outDir, {
              'report.json': await fileOrRender(stored, 'json', parsed, rules),
              'report.html': await fileOrRender(stored, 'html', parsed, rules),
            });
            process.stderr.write(`kube-patrol: wrote ${written.join(', ')}\n`);
          }
          const text =
            flags.output === 'json' || flags.output === 'html'
              ? await fileOrRender(stored, flags.output, parsed, rules)
              : renderReport(await parsed(), flags.output, {
                  rules,
                  color:
                    flags.output === 'table' && process.stdout.isTTY === true && !process.env['NO_COLOR'],
                });
          await writeStdout(text);
          return 0;
        }),
      );
    },
  );

  addReportOptions(
    report
      .command('open')
      .argument('[scan]', 'scan id (default: the latest)')
      .description('write the HTML report to a file and open it in the browser')
      .option('-f, --file <path>', 'where to write the HTML', 'kube-patrol-report.html')
      .option('--no-browser', 'only write the file'),
  ).action(async (scan: string | undefined, flags: ReportFlags & { file: string; browser: boolean }) => {
    process.exitCode = await handled(() =>
      withReport(flags, scan, async (stored) => {
        const html = await fileOrRender(stored, 'html', () => stored.report(), rules);
        const [path] = await writeReportFiles(resolve(flags.file, '..'), {
          [flags.file.split(/[\\/]/).pop()!]: html,
        });
        process.stdout.write(`${path}\n`);
        if (flags.browser) openInBrowser(path!);
        return 0;
      }),
    );
  });

  addReportOptions(
    report
      .command('diff')
      .argument('[from]', 'older scan id (default: the one before the newer)')
      .argument('[to]', 'newer scan id (default: the latest)')
      .description('show the findings that are new and resolved between two scans')
      .addOption(
        new Option('-o, --output <format>', 'output format')
          .choices(['table', 'json'] as const)
          .default('table'),
      ),
  ).action(
    async (
      from: string | undefined,
      to: string | undefined,
      flags: ReportFlags & { output: 'table' | 'json' },
    ) => {
      process.exitCode = await handled(async () => {
        const client = connectFromFlags(flags);
        try {
          const namespace = flags.namespace ?? client.identity.namespace ?? DEFAULT_NAMESPACE;
          const newer = await readStoredReport(client, namespace, flags.name, to);
          let fromId = from;
          if (!fromId) {
            const index = newer.history.findIndex((e) => e.scanId === newer.summary.scanId);
            const older = newer.history[index + 1];
            if (!older) {
              process.stderr.write(
                `kube-patrol: scan ${newer.summary.scanId} is the oldest kept; nothing to compare with\n`,
              );
              return 2;
            }
            fromId = older.scanId;
          }
          const older = await readStoredReport(client, namespace, flags.name, fromId);
          const [before, after] = [await older.report(), await newer.report()];
          const diff = {
            from: older.summary.scanId,
            to: newer.summary.scanId,
            ...diffReports(
              { findings: withCurrentIds(before.findings) },
              { findings: withCurrentIds(after.findings) },
            ),
            score: { from: before.summary.score, to: after.summary.score },
          };
          await writeStdout(
            flags.output === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffTable(diff),
          );
          return 0;
        } finally {
          client.close();
        }
      });
    },
  );

  addReportOptions(report.command('history').description('list the stored reports (newest first)')).action(
    async (flags: ReportFlags) => {
      process.exitCode = await handled(() =>
        withReport(flags, undefined, async (stored) => {
          const rows = stored.history.map(
            (e) =>
              `${e.scanId}  ${e.generatedAt}  score ${String(e.score).padStart(3)}  findings ${String(e.findings).padStart(6)}  critical ${e.bySeverity.critical}${e.new === undefined ? '' : `  +${e.new} -${e.resolved ?? 0}`}`,
          );
          await writeStdout(`${rows.join('\n')}\n`);
          return 0;
        }),
      );
    },
  );
}

function describeEntry(entry: ReportDiffEntry): string {
  const w = entry.workload;
  return `${entry.severity.padEnd(8)} ${entry.ruleId.padEnd(30)} ${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}${entry.container ? ` [${entry.container}]` : ''}`;
}

export function renderDiffTable(diff: {
  from: string;
  to: string;
  new: readonly ReportDiffEntry[];
  resolved: readonly ReportDiffEntry[];
  score: { from: number; to: number };
}): string {
  const lines = [
    `Scan ${diff.from} → ${diff.to}: score ${diff.score.from} → ${diff.score.to}, ${diff.new.length} new, ${diff.resolved.length} resolved`,
  ];
  if (diff.new.length > 0) lines.push('', 'New:', ...diff.new.map((e) => `  + ${describeEntry(e)}`));
  if (diff.resolved.length > 0)
    lines.push('', 'Resolved:', ...diff.resolved.map((e) => `  - ${describeEntry(e)}`));
  return `${lines.join('\n')}\n`;
}

function openInBrowser(path: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [path], { stdio: 'ignore', detached: true });
  child.once('error', () =>
    process.stderr.write(`kube-patrol: could not start ${opener}; open ${path} yourself\n`),
  );
  child.unref();
}
