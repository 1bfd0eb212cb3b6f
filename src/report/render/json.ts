import type { InspectionReport } from '../model.ts';

export function renderJson(report: InspectionReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
