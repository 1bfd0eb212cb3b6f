import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { KubeClient } from '../kube/client.ts';
import { diffReports } from '../report/diff.ts';
import type { ReportDiffEntry } from '../report/model.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { OUTPUT_FORMATS, renderReport, type OutputFormat } from '../report/render/index.ts';
import { StoredReportError } from '../report/stored.ts';
import { readStoredReport, ReportNotFoundError, type StoredReport } from '../sinks/configmap.ts';
import { writeReportFiles } from '../sinks/files.ts';
import { addKubeOptions, connectFromFlags, type KubeFlags } from './kube.ts';
import { DEFAULT_NAMESPACE } from './operator.ts';
import { terminalOutput, terminalText } from '../shared/terminal-text.ts';
import { writeError, writeStdout } from './options.ts';

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

/**
 * The one place `kube-patrol report` output passes through: the shared terminal sanitiser
 * (src/shared/terminal-text.ts), newlines and tabs kept, JSON and HTML escaped in their own language.
 */
export const forTerminal = terminalOutput;

async function handled(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ReportNotFoundError) {
      process.stderr.write(
        forTerminal(`kube-patrol: ${error.message} (is the operator running, and is -n its namespace?)\n`),
      );
      return 2;
    }
    if (error instanceof StoredReportError) {
      process.stderr.write(forTerminal(`kube-patrol: the stored report cannot be used: ${error.message}\n`));
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
          // Rendered here from the validated report.json: stored renderings (report.html) are never
          // served as they are, since anyone who can write the ConfigMap could have planted them.
          const report = await stored.report();
          if (flags.outDir) {
            const written = await writeReportFiles(flags.outDir, {
              'report.json': renderReport(report, 'json', { rules }),
              'report.html': renderReport(report, 'html', { rules }),
            });
            process.stderr.write(forTerminal(`kube-patrol: wrote ${written.join(', ')}\n`));
          }
          const text = renderReport(report, flags.output, {
            rules,
            color: flags.output === 'table' && process.stdout.isTTY === true && !process.env['NO_COLOR'],
          });
          await writeStdout(forTerminal(text, flags.output));
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
        const html = renderReport(await stored.report(), 'html', { rules });
        const [path] = await writeReportFiles(resolve(flags.file, '..'), {
          [flags.file.split(/[\\/]/).pop()!]: html,
        });
        process.stdout.write(`${terminalText(path!)}\n`);
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
                forTerminal(
                  `kube-patrol: scan ${newer.summary.scanId} is the oldest kept; nothing to compare with\n`,
                ),
              );
              return 2;
            }
            fromId = older.scanId;
          }
          const older = await readStoredReport(client, namespace, flags.name, fromId);
          // Both read validated, with finding ids derived anew (older builds made them differently).
          const [before, after] = [await older.report(), await newer.report()];
          const diff = {
            from: older.summary.scanId,
            to: newer.summary.scanId,
            ...diffReports(before, after),
            score: { from: before.summary.score, to: after.summary.score },
          };
          await writeStdout(
            flags.output === 'json'
              ? forTerminal(`${JSON.stringify(diff, null, 2)}\n`, 'json')
              : forTerminal(renderDiffTable(diff)),
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
              `${e.scanId}  ${e.generatedAt}  score ${String(e.score ?? '—').padStart(3)}  findings ${String(e.findings).padStart(6)}  critical ${e.bySeverity.critical}${e.new === undefined ? '' : `  +${e.new} -${e.resolved ?? 0}`}`,
          );
          await writeStdout(forTerminal(`${rows.join('\n')}\n`));
          return 0;
        }),
      );
    },
  );
}

function describeEntry(entry: ReportDiffEntry): string {
  const w = entry.workload;
  return terminalText(
    `${entry.severity.padEnd(8)} ${entry.ruleId.padEnd(30)} ${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}${entry.container ? ` [${entry.container}]` : ''}`,
  );
}

export function renderDiffTable(diff: {
  from: string;
  to: string;
  new: readonly ReportDiffEntry[];
  resolved: readonly ReportDiffEntry[];
  score: { from: number | null; to: number | null };
}): string {
  const lines = [
    `Scan ${diff.from} → ${diff.to}: score ${diff.score.from ?? '—'} → ${diff.score.to ?? '—'}, ${diff.new.length} new, ${diff.resolved.length} resolved`,
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
  child.once('error', () => writeError(`could not start ${opener}; open ${path} yourself`));
  child.unref();
}
