import { interpolate, type Language } from '../../engine/i18n.ts';
import { atLeast, SEVERITIES, type Severity } from '../../engine/severity.ts';
import { inspectedNothing, type InspectionReport, type ReportFinding } from '../model.ts';
import { ui, type UiKey } from '../i18n/ui.ts';
import { workloadKey } from '../../workloads/model.ts';
import { terminalText } from '../../shared/terminal-text.ts';
import { workloadPenalty } from '../../engine/score.ts';
import { compareText } from '../../shared/collate.ts';

export interface TableOptions {
  readonly color: boolean;
  /** Show exempted findings among the others (marked) instead of in their own short section. */
  readonly showExempted?: boolean;
  /** List findings at or above this severity (default TABLE_MIN_SEVERITY); the summary counts all. */
  readonly minSeverity?: Severity;
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
export const safe = terminalText;

/**
 * The table's default --min-severity. Every severity of a 5-workload scan is 150+ lines, most of them
 * low/info hardening advice; medium and up are what a person acts on first. The summary still counts
 * every finding, and a footer says how many were not listed and how to list them.
 */
export const TABLE_MIN_SEVERITY: Severity = 'medium';

/** Exempted findings listed in the table's short section; the rest are counted. */
const EXEMPTED_LIST_LIMIT = 20;

function refOf(f: ReportFinding): string {
  const { kind, namespace, name } = f.workload;
  return safe(`${kind} ${namespace ? `${namespace}/` : ''}${name}${f.container ? ` [${f.container}]` : ''}`);
}

/** A terminal table grouped by workload, worst first, severity coloured when `color`. */
export function renderTable(report: InspectionReport, options: TableOptions): string {
  const lang = report.metadata.lang;
  const { color } = options;
  const minSeverity = options.minSeverity ?? TABLE_MIN_SEVERITY;
  const lines: string[] = [];
  const groups = new Map<string, ReportFinding[]>();
  const hidden = new Map<Severity, number>();
  const exempted: ReportFinding[] = [];
  for (const finding of report.findings) {
    if (finding.exempted && !options.showExempted) {
      exempted.push(finding);
      continue;
    }
    if (!atLeast(finding.severity, minSeverity)) {
      if (!finding.exempted) hidden.set(finding.severity, (hidden.get(finding.severity) ?? 0) + 1);
      continue;
    }
    const key = workloadKey(finding.workload);
    const group = groups.get(key) ?? [];
    group.push(finding);
    groups.set(key, group);
  }
  const scores = new Map(report.workloads.map((w) => [workloadKey(w), w.score]));
  const ordered = [...groups.entries()].sort(
    ([a], [b]) => (scores.get(a) ?? 100) - (scores.get(b) ?? 100) || compareText(a, b),
  );
  // Each workload's findings, listed or not, for its points lost: a score floored at 0 hides progress.
  const allOf = new Map<string, ReportFinding[]>();
  for (const f of report.findings) {
    const key = workloadKey(f.workload);
    const list = allOf.get(key);
    if (list) list.push(f);
    else allOf.set(key, [f]);
  }
  for (const [key, findings] of ordered) {
    const first = findings[0] as ReportFinding;
    const { kind, namespace, name } = first.workload;
    const where = first.source?.file ? `  ${paint(`${safe(first.source.file)}`, DIM, color)}` : '';
    const lost = workloadPenalty(allOf.get(key) ?? []);
    const floored = scores.get(key) === 0 && lost > 100 ? ` (${lost} ${ui('pointsLost', lang)})` : '';
    lines.push(
      `${paint(`${safe(kind)} ${namespace ? `${safe(namespace)}/` : ''}${safe(name)}`, BOLD, color)}  ${ui('score', lang)} ${scores.get(key) ?? '-'}${floored}${where}`,
    );
    for (const f of findings) {
      const line = f.source?.line ? `:${safe(String(f.source.line))}` : '';
      const exempt = f.exempted
        ? paint(` [${ui('exemptedBecause', lang)}: ${safe(f.exempted.reason)}]`, DIM, color)
        : '';
      // An expired exemption is why a finding someone once accepted is back: say so on the finding.
      const expired = f.exemptionExpired
        ? paint(
            ` [${interpolate(ui('exemptionExpiredShort', lang), { date: (f.exemptionExpired.expires ?? '').slice(0, 10) })}: ${safe(f.exemptionExpired.reason)}]`,
            BOLD,
            color,
          )
        : '';
      lines.push(
        `  ${severityLabel(f.severity, lang, color)} ${safe(f.ruleId).padEnd(30)} ${safe(f.message)}${exempt}${expired}`,
      );
      lines.push(
        `  ${' '.repeat(lang === 'en' ? 8 : 4)} ${paint(`${safe(f.path)}${f.missing ? ` (+ ${safe(f.missing)})` : ''}${line}`, DIM, color)}`,
      );
    }
    lines.push('');
  }
  const verdict = report.summary.score !== null;
  if (groups.size === 0 && hidden.size === 0) {
    if (inspectedNothing(report)) lines.push(ui('nothingInspected', lang), '');
    else if (verdict) lines.push(ui('noFindings', lang), '');
  }
  if (hidden.size > 0) {
    const counts = SEVERITIES.filter((sev) => hidden.has(sev))
      .map((sev) => `${hidden.get(sev)} ${ui(`severity_${sev}` as UiKey, lang)}`)
      .join(', ');
    const lowest = SEVERITIES.filter((sev) => hidden.has(sev)).pop() as Severity;
    lines.push(paint(interpolate(ui('notShown', lang), { counts, next: lowest }), DIM, color), '');
  }
  if (exempted.length > 0) {
    lines.push(paint(`${ui('exemptedFindings', lang)} (${exempted.length}):`, BOLD, color));
    for (const f of exempted.slice(0, EXEMPTED_LIST_LIMIT)) {
      const e = f.exempted as NonNullable<ReportFinding['exempted']>;
      const expires = e.expires
        ? `, ${interpolate(ui('expires', lang), { date: e.expires.slice(0, 10) })}`
        : '';
      lines.push(
        `  ${f.ruleId.padEnd(30)} ${refOf(f)}  ${paint(`${ui(`exemptBy_${e.by}` as UiKey, lang)}${expires}: ${safe(e.reason)}`, DIM, color)}`,
      );
    }
    if (exempted.length > EXEMPTED_LIST_LIMIT)
      lines.push(`  … ${exempted.length - EXEMPTED_LIST_LIMIT} more (-o json or -o html lists them all)`);
    lines.push('');
  }
  const s = report.summary;
  const counts = SEVERITIES.map(
    (sev) => `${paint(ui(`severity_${sev}` as UiKey, lang), COLORS[sev], color)} ${s.bySeverity[sev]}`,
  ).join('  ');
  const score = verdict
    ? `${paint(String(s.score), BOLD, color)}/100${s.penalty === undefined ? '' : ` (${s.penalty} ${ui('pointsLost', lang)})`}`
    : `${paint('—', BOLD, color)}/100`;
  lines.push(
    `${ui('score', lang)}: ${score}   ${ui('workloads', lang)}: ${s.workloads}   ${ui('findings', lang)}: ${s.findings} (${counts})   ${ui('exempted', lang)}: ${s.exempted}`,
  );
  if (s.scoreWithheld) lines.push(ui(`scoreWithheld_${s.scoreWithheld}`, lang));
  const c = report.coverage;
  if (c) {
    const parts = [interpolate(ui('coverageWorkloads', lang), { n: c.workloadsInspected })];
    if (c.filesRead !== undefined) parts.push(interpolate(ui('coverageFiles', lang), { n: c.filesRead }));
    else parts.push(interpolate(ui('coverageNamespaces', lang), { n: c.namespacesSeen }));
    if (c.denied.length > 0)
      parts.push(
        interpolate(ui('coverageDenied', lang), {
          list: safe(
            c.denied.map((d) => `${d.kind} (${d.namespace ?? ui('coverageClusterWide', lang)})`).join(', '),
          ),
        }),
      );
    lines.push(`${ui('coverage', lang)}: ${parts.join(' · ')}`);
  }
  if (report.errors.length > 0) {
    lines.push('', paint(`${ui('errors', lang)}:`, BOLD, color));
    for (const e of report.errors)
      lines.push(`  ${safe(e.source)}${e.line ? `:${safe(String(e.line))}` : ''}: ${safe(e.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
