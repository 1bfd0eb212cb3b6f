import { stringify } from 'yaml';
import type { InspectionReport } from '../model.ts';

export function renderYaml(report: InspectionReport): string {
  return stringify(report, { lineWidth: 0, aliasDuplicateObjects: false });
}
