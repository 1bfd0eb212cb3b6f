import { resolve } from 'node:path';
import type { KubeClient } from '../kube/client.ts';
import { diffReports } from '../report/diff.ts';
import { renderDiffText, type ScanDiff } from '../report/render/diff-text.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import type { Severity } from '../engine/severity.ts';
import { renderReport, type OutputFormat } from '../report/render/index.ts';
import { StoredReportError } from '../report/stored.ts';
import { readStoredReport, ReportNotFoundError, type StoredReport } from '../sinks/configmap.ts';
import { writeReportFiles } from '../sinks/files.ts';
import { openInBrowser } from './browser.ts';
import { DEFAULT_NAMESPACE } from './commands/kube-options.ts';
import { withClient, type KubeFlags } from './kube.ts';
import { terminalOutput, terminalText } from '../shared/terminal-text.ts';
import { writeError, writeStdout } from './options.ts';

export interface ReportFlags extends KubeFlags {
  namespace?: string;
  name: string;
}

async function withReport<T>(
  flags: ReportFlags,
  scanId: string | undefined,
  use: (stored: StoredReport, client: KubeClient) => Promise<T>,
): Promise<T> {
  return withClient(flags, {}, async (client) => {
    const namespace = flags.namespace ?? client.identity.namespace ?? DEFAULT_NAMESPACE;
    return use(await readStoredReport(client, namespace, flags.name, scanId), client);
  });
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
        forTerminal(
          `kube-patrol: ${error.message} (is the operator running, and is -n its namespace? Without -n, report commands read the context's namespace, else ${DEFAULT_NAMESPACE}, as kubectl would)\n`,
        ),
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

export type ReportGetFlags = ReportFlags & { output: OutputFormat; outDir?: string; minSeverity?: Severity };

/** `report get [scan]`: the exit status. */
export async function reportGet(
  registry: RuleRegistry,
  scan: string | undefined,
  flags: ReportGetFlags,
): Promise<number> {
  const rules = registry.meta;
  return handled(() =>
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
        ...(flags.minSeverity ? { minSeverity: flags.minSeverity } : {}),
      });
      await writeStdout(forTerminal(text, flags.output));
      return 0;
    }),
  );
}

export type ReportOpenFlags = ReportFlags & { file: string; browser: boolean };

/** `report open [scan]`: the exit status. */
export async function reportOpen(
  registry: RuleRegistry,
  scan: string | undefined,
  flags: ReportOpenFlags,
): Promise<number> {
  const rules = registry.meta;
  return handled(() =>
    withReport(flags, scan, async (stored) => {
      const html = renderReport(await stored.report(), 'html', { rules });
      const [path] = await writeReportFiles(resolve(flags.file, '..'), {
        [flags.file.split(/[\\/]/).pop()!]: html,
      });
      process.stdout.write(`${terminalText(path!)}\n`);
      if (!flags.browser) return 0;
      const failed = await openInBrowser(path!);
      if (!failed) return 0;
      // The file is there, but what was asked — a browser showing it — did not happen.
      writeError(`could not open a browser (${failed}); open ${path} yourself`);
      return 2;
    }),
  );
}

export type ReportDiffFlags = ReportFlags & { output: 'table' | 'json' };

/** `report diff [from] [to]`: the exit status. */
export async function reportDiff(
  from: string | undefined,
  to: string | undefined,
  flags: ReportDiffFlags,
): Promise<number> {
  return handled(() =>
    withClient(flags, {}, async (client) => {
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
      const diff: ScanDiff = {
        from: older.summary.scanId,
        to: newer.summary.scanId,
        ...diffReports(before, after, before.metadata.generatedAt),
        score: { from: before.summary.score, to: after.summary.score },
        ...(before.summary.penalty !== undefined && after.summary.penalty !== undefined
          ? { penalty: { from: before.summary.penalty, to: after.summary.penalty } }
          : {}),
      };
      await writeStdout(
        flags.output === 'json'
          ? forTerminal(`${JSON.stringify(diff, null, 2)}\n`, 'json')
          : forTerminal(renderDiffText(diff)),
      );
      return 0;
    }),
  );
}

/** `report history`: the exit status. */
export async function reportHistory(flags: ReportFlags): Promise<number> {
  return handled(() =>
    withReport(flags, undefined, async (stored) => {
      const rows = stored.history.map(
        (e) =>
          `${e.scanId}  ${e.generatedAt}  score ${String(e.score ?? '—').padStart(3)}  findings ${String(e.findings).padStart(6)}  critical ${e.bySeverity.critical}${e.new === undefined ? '' : `  +${e.new} -${e.resolved ?? 0}`}`,
      );
      await writeStdout(forTerminal(`${rows.join('\n')}\n`));
      return 0;
    }),
  );
}
