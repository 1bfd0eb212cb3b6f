import type { InspectionReport } from '../model.ts';
import { renderJson } from './json.ts';
import { renderTable } from './table.ts';
import { renderYaml } from './yaml.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** Terminal colours for the table (stdout is a TTY and NO_COLOR is unset). */
  readonly color?: boolean;
}

export function renderReport(report: InspectionReport, format: OutputFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report, { color: options.color ?? false });
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
  }
}

/** Files written by `--out-dir`, by name. */
export function renderOutDir(report: InspectionReport): Record<string, string> {
  return { 'report.json': renderJson(report) };
}
