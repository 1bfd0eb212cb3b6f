import type { RuleMeta } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import type { InspectionReport } from '../model.ts';
import { renderHtml, renderHtmlChunks } from './html.ts';
import { renderJson, renderJsonChunks } from './json.ts';
import { renderPolicyReports, type PolicyReportLimits } from './openreports.ts';
import { renderLines } from './line.ts';
import { renderSarif } from './sarif.ts';
import { renderTable } from './table.ts';
import { renderYaml } from './yaml.ts';
import type { OutputFormat } from './formats.ts';

export { OUTPUT_FORMATS, type OutputFormat } from './formats.ts';

export interface RenderOptions {
  /** Terminal colours for the table (stdout is a TTY and NO_COLOR is unset). */
  readonly color?: boolean;
  /** Documentation of the rules the report may name (HTML and SARIF), from the composition root. */
  readonly rules: readonly RuleMeta[];
  /** SARIF: directory that artifact URIs are relative to (the scan's working directory). */
  readonly baseDir?: string;
  /** OpenReports and PolicyReports: results kept per object. */
  readonly policyReportLimits?: PolicyReportLimits;
  /**
   * Table and line: list only findings at or above this severity (a display filter: the summary still
   * counts every finding). The table defaults to medium (TABLE_MIN_SEVERITY), the line format to all.
   */
  readonly minSeverity?: Severity;
}

export function renderReport(report: InspectionReport, format: OutputFormat, options: RenderOptions): string {
  const rules = options.rules;
  switch (format) {
    case 'table':
      return renderTable(report, {
        color: options.color ?? false,
        ...(options.minSeverity ? { minSeverity: options.minSeverity } : {}),
      });
    case 'line':
      return renderLines(report, options.minSeverity ? { minSeverity: options.minSeverity } : {});
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
    case 'html':
      return renderHtml(report, { rules });
    case 'sarif':
      return renderSarif(report, { rules, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
    case 'openreports':
    case 'policyreports':
      return renderPolicyReports(report, format, options.policyReportLimits);
  }
}

/**
 * The rendering as a sequence of text pieces, so large JSON reports can be written out without one
 * string of the whole report (JSON and HTML); other formats come in one piece.
 */
export function renderReportChunks(
  report: InspectionReport,
  format: OutputFormat,
  options: RenderOptions,
): Iterable<string> {
  if (format === 'json') return renderJsonChunks(report);
  if (format === 'html') return renderHtmlChunks(report, { rules: options.rules });
  return [renderReport(report, format, options)];
}

/** The files `--out-dir` writes, by name, with their format. */
export const OUT_DIR_FILES: Readonly<Record<string, OutputFormat>> = {
  'report.json': 'json',
  'report.html': 'html',
  'report.sarif': 'sarif',
};

/** Files written by `--out-dir`, by name. */
export function renderOutDir(
  report: InspectionReport,
  options: Omit<RenderOptions, 'color'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(OUT_DIR_FILES).map(([name, format]) => [name, renderReport(report, format, options)]),
  );
}
