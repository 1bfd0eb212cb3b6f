import { atLeast, type Severity } from '../../engine/severity.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { safe } from './table.ts';

export interface LineOptions {
  /** Only findings at or above this severity (default: every unexempted finding). */
  readonly minSeverity?: Severity;
}

function where(f: ReportFinding): string {
  if (f.source)
    return `${f.source.file === '-' ? 'stdin' : f.source.file}${f.source.line ? `:${f.source.line}` : ''}`;
  const { kind, namespace, name } = f.workload;
  return `${kind}/${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * One unexempted finding per line, for CI logs and grep:
 * `FILE:LINE: SEVERITY RULE KIND NAMESPACE/NAME[CONTAINER]: MESSAGE`. Cluster findings, which have no file,
 * start with `KIND/NAMESPACE/NAME`. Exempted findings are left out; an expired exemption is marked.
 */
export function renderLines(report: InspectionReport, options: LineOptions = {}): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.exempted) continue;
    if (options.minSeverity && !atLeast(f.severity, options.minSeverity)) continue;
    const { kind, namespace, name } = f.workload;
    const workload = `${kind} ${namespace ? `${namespace}/` : ''}${name}${f.container ? `[${f.container}]` : ''}`;
    const expired = f.exemptionExpired
      ? ` (exemption expired ${(f.exemptionExpired.expires ?? '').slice(0, 10)})`
      : '';
    // One finding, one line: no control characters and no line breaks from names or messages.
    lines.push(safe(`${where(f)}: ${f.severity} ${f.ruleId} ${workload}: ${f.message}${expired}`));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
