import type { Language } from '../../engine/i18n.ts';
import type { Severity } from '../../engine/severity.ts';
import { SEVERITIES } from '../../engine/severity.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { ui, type UiKey } from '../i18n/ui.ts';
import { workloadKey } from '../../workloads/model.ts';
import { terminalText } from '../../shared/terminal-text.ts';

export interface TableOptions {
  readonly color: boolean;
  /** Show exempted findings too (marked). */
  readonly showExempted?: boolean;
}

const COLORS: Record<Severity, string> = {
  critical: '\u001b[1;97;41m',
  high: '\u001b[1;31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';

function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${RESET}` : text;
}

function severityLabel(severity: Severity, lang: Language, color: boolean): string {
  const label = ui(`severity_${severity}` as UiKey, lang)
    .toUpperCase()
    .padEnd(lang === 'en' ? 8 : 4);
  return paint(label, COLORS[severity], color);
}

/** Names, paths and messages from files, the cluster or a stored report cannot drive the terminal. */
const safe = terminalText;

/** A terminal table grouped by workload, worst first, severity coloured when `color`. */
export function renderTable(report: InspectionReport, options: TableOptions): string {
  const lang = report.metadata.lang;
  const { color } = options;
  const lines: string[] = [];
  const groups = new Map<string, ReportFinding[]>();
  for (const finding of report.findings) {
    if (finding.exempted && !options.showExempted) continue;
    const key = workloadKey(finding.workload);
    const group = groups.get(key) ?? [];
    group.push(finding);
    groups.set(key, group);
  }
  const scores = new Map(report.workloads.map((w) => [workloadKey(w), w.score]));
  const ordered = [...groups.entries()].sort(
    ([a], [b]) => (scores.get(a) ?? 100) - (scores.get(b) ?? 100) || a.localeCompare(b),
  );
  for (const [key, findings] of ordered) {
    const first = findings[0] as ReportFinding;
    const { kind, namespace, name } = first.workload;
    const where = first.source?.file ? `  ${paint(`${safe(first.source.file)}`, DIM, color)}` : '';
    lines.push(
      `${paint(`${safe(kind)} ${namespace ? `${safe(namespace)}/` : ''}${safe(name)}`, BOLD, color)}  ${ui('score', lang)} ${scores.get(key) ?? '-'}${where}`,
    );
    for (const f of findings) {
      const line = f.source?.line ? `:${safe(String(f.source.line))}` : '';
      const exempt = f.exempted
        ? paint(` [${ui('exemptedBecause', lang)}: ${safe(f.exempted.reason)}]`, DIM, color)
        : '';
      lines.push(
        `  ${severityLabel(f.severity, lang, color)} ${safe(f.ruleId).padEnd(30)} ${safe(f.message)}${exempt}`,
      );
      lines.push(
        `  ${' '.repeat(lang === 'en' ? 8 : 4)} ${paint(`${safe(f.path)}${f.missing ? ` (+ ${safe(f.missing)})` : ''}${line}`, DIM, color)}`,
      );
    }
    lines.push('');
  }
  if (groups.size === 0) lines.push(ui('noFindings', lang), '');
  const s = report.summary;
  const counts = SEVERITIES.map(
    (sev) => `${paint(ui(`severity_${sev}` as UiKey, lang), COLORS[sev], color)} ${s.bySeverity[sev]}`,
  ).join('  ');
  lines.push(
    `${ui('score', lang)}: ${paint(s.score === null ? '—' : String(s.score), BOLD, color)}/100   ${ui('workloads', lang)}: ${s.workloads}   ${ui('findings', lang)}: ${s.findings} (${counts})   ${ui('exempted', lang)}: ${s.exempted}`,
  );
  if (s.scoreWithheld) lines.push(ui(`scoreWithheld_${s.scoreWithheld}`, lang));
  if (report.errors.length > 0) {
    lines.push('', paint(`${ui('errors', lang)}:`, BOLD, color));
    for (const e of report.errors)
      lines.push(`  ${safe(e.source)}${e.line ? `:${safe(String(e.line))}` : ''}: ${safe(e.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
