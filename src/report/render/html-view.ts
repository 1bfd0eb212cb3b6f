/**
 * The view of the HTML report: every string and number the templates show, computed here so the
 * templates stay dumb. Pure: a function of the report and the rule docs.
 */
import { fixCommands } from '../fix-commands.ts';
import { interpolate, type Language } from '../../engine/i18n.ts';
import type { RuleMeta } from '../../engine/rule.ts';
import { SEVERITIES, severityRank, type Severity } from '../../engine/severity.ts';
import { uiStrings, type UiKey } from '../i18n/ui.ts';
import {
  inspectedNothing,
  type InspectionReport,
  type ReportDiffEntry,
  type ReportFinding,
  type ReportRule,
} from '../model.ts';
import { workloadKey } from '../../workloads/model.ts';
import { compareText } from '../../shared/collate.ts';

/** A piece of prose: `code` spans from backticks in rule texts and messages. */
interface Segment {
  readonly c: boolean;
  readonly t: string;
}

export interface RowView {
  readonly sev: Severity;
  readonly sevLabel: string;
  /** Filter key: `:namespace`, or empty for objects without one. */
  readonly nsKey: string;
  readonly rule: string;
  readonly ruleTitle: string;
  readonly kind: string;
  readonly ns: string | null;
  readonly name: string;
  readonly container: string | null;
  readonly msg: readonly Segment[];
  readonly path: string;
  readonly missing: string | null;
  readonly file: string | null;
  readonly line: number | null;
  /** In a rule's table: the finding's severity differs from the rule's (shown as a badge). */
  readonly ownSeverity: boolean;
  readonly expired: string | null;
  readonly exemptedBy: string | null;
  readonly reason: string | null;
  readonly expires: string | null;
}

export interface RuleGroupView {
  readonly id: string;
  readonly title: string;
  readonly sev: Severity;
  readonly sevLabel: string;
  readonly pss: string;
  readonly category: string;
  readonly spread: string;
  readonly why: readonly Segment[] | null;
  readonly fix: readonly Segment[] | null;
  readonly snippet: string | null;
  readonly references: readonly { readonly title: string; readonly url: string }[];
  /** Documentation expanded by default (medium and worse). */
  readonly open: boolean;
  readonly rows: readonly RowView[];
}

export interface HtmlView {
  readonly lang: Language;
  readonly t: Readonly<Record<UiKey, string>>;
  readonly csp: string;
  readonly css: string;
  readonly js: string;
  readonly meta: {
    readonly generatedAt: string;
    readonly generatedAtIso: string;
    readonly source: string;
    readonly cluster: string | null;
    readonly pssVersion: string;
    readonly tool: string;
    readonly duration: string | null;
  };
  readonly summary: {
    /** Null when the report withholds it (a partial or empty scan): the gauge shows no value. */
    readonly score: number | null;
    readonly withheld: string | null;
    readonly grade: 'good' | 'fair' | 'poor' | 'none';
    readonly gradeLabel: string;
    readonly gauge: string;
    readonly noVerdict: string | null;
    readonly coverage: string | null;
    readonly pointsLost: string | null;
    readonly workloads: number;
    readonly findings: number;
    readonly exempted: number;
    readonly errors: number;
    readonly skipped: string | null;
    readonly atRisk: string;
  };
  readonly chart: {
    readonly height: number;
    readonly bars: readonly {
      readonly sev: Severity;
      readonly label: string;
      readonly count: number;
      readonly y: number;
      readonly ty: number;
      readonly width: number;
      readonly cx: number;
    }[];
  };
  readonly fixFirst: readonly {
    readonly id: string;
    readonly title: string;
    readonly sev: Severity;
    readonly sevLabel: string;
    readonly spread: string;
  }[];
  readonly moreRules: string | null;
  readonly coverage: {
    readonly partial: boolean;
    readonly summary: string;
    readonly denied: readonly string[];
  } | null;
  readonly diff: {
    readonly since: string;
    readonly previousScore: string;
    readonly currentScore: string;
    readonly delta: string | null;
    readonly deltaClass: 'up' | 'down' | 'same';
    readonly added: readonly RowView[];
    readonly resolved: readonly RowView[];
    readonly newlyExempted: readonly RowView[];
    readonly exemptionExpired: readonly RowView[];
    readonly none: boolean;
  } | null;
  readonly namespaces: readonly {
    readonly name: string | null;
    readonly workloads: number;
    readonly score: number;
    readonly grade: string;
    readonly counts: readonly { readonly sev: Severity; readonly n: number }[];
    readonly exempted: number;
  }[];
  readonly ruleRows: readonly {
    readonly id: string;
    readonly title: string;
    readonly sev: Severity;
    readonly sevLabel: string;
    readonly findings: number;
    readonly workloads: number;
    readonly exempted: number;
    readonly anchor: boolean;
  }[];
  readonly worst: readonly {
    readonly kind: string;
    readonly ns: string | null;
    readonly name: string;
    readonly score: number;
    readonly findings: number;
    readonly grade: string;
  }[];
  readonly filter: {
    readonly severities: readonly {
      readonly sev: Severity;
      readonly label: string;
      readonly count: number;
    }[];
    readonly namespaces: readonly { readonly key: string; readonly label: string }[];
    readonly rules: readonly { readonly id: string; readonly title: string }[];
  };
  readonly total: number;
  readonly groups: readonly RuleGroupView[];
  readonly exempted: readonly RowView[];
  /** Per workload, the `kubectl patch` of its machine fixes (report/fix-commands.ts); null when none. */
  readonly fixes: {
    readonly hint: readonly Segment[];
    /** Manifest reports: how to fix the files themselves. */
    readonly hintManifests: readonly Segment[] | null;
    /** Workloads beyond FIX_COMMANDS_LIMIT, left to the JSON report: how many. */
    readonly more: readonly Segment[] | null;
    readonly workloads: readonly {
      readonly kind: string;
      readonly ns: string | null;
      readonly name: string;
      readonly safeRules: string;
      readonly reviewRules: string;
      readonly safe: string | null;
      readonly all: string | null;
      readonly immutable: boolean;
    }[];
  } | null;
  /** The RBAC powers found (rules rbac-*), per workload and per binding; null when there are none. */
  readonly access: {
    readonly workloads: readonly AccessEntry[];
    readonly bindings: readonly AccessEntry[];
  } | null;
  /** Which Pod Security level each namespace can enforce (report.podSecurity); null when absent. */
  readonly podSecurity: {
    readonly hint: string;
    readonly rows: readonly {
      readonly ns: string;
      readonly workloads: number;
      readonly level: string;
      readonly enforce: string;
      readonly failing: string;
      readonly command: string | null;
    }[];
  } | null;
  readonly errors: readonly {
    readonly source: string;
    readonly line: number | null;
    readonly message: string;
  }[];
  readonly rulesChecked: readonly {
    readonly id: string;
    readonly title: string;
    readonly sev: Severity;
    readonly sevLabel: string;
    readonly pss: string;
    readonly result: string | null;
    readonly anchor: boolean;
  }[];
}

/** One workload or binding of the Access view and the powers found on it. */
export interface AccessEntry {
  readonly kind: string;
  readonly ns: string | null;
  readonly name: string;
  readonly powers: readonly {
    readonly sev: Severity;
    readonly sevLabel: string;
    readonly title: string;
    readonly msg: readonly Segment[];
    readonly evidence: readonly string[];
  }[];
}

const FIX_FIRST_LIMIT = 5;
const WORST_WORKLOADS_LIMIT = 10;

/** Splits prose on backticks into text and code segments. */
export function codeSegments(text: string): Segment[] {
  const parts = text.split('`');
  // An unmatched backtick stays literal text.
  if (parts.length % 2 === 0) {
    const last = parts.pop() as string;
    parts[parts.length - 1] += `\`${last}`;
  }
  return parts.map((t, i) => ({ c: i % 2 === 1, t })).filter((s) => s.t !== '');
}

function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function gradeOf(score: number): 'good' | 'fair' | 'poor' {
  return score >= 90 ? 'good' : score >= 70 ? 'fair' : 'poor';
}

function nsKey(namespace: string | null): string {
  return namespace === null ? '' : `:${namespace}`;
}

type RowSource = Pick<ReportFinding, 'ruleId' | 'severity' | 'workload' | 'container' | 'path' | 'message'> &
  Partial<Pick<ReportFinding, 'missing' | 'source' | 'exempted' | 'exemptionExpired'>>;

/** A rule group's rows, built on demand (renderHtmlChunks). */
export interface GroupRows {
  readonly count: number;
  rows(from: number, to: number): RowView[];
}

/** What every section of the view needs: the language, UI strings and rule lookups. */
interface ViewContext {
  readonly report: InspectionReport;
  readonly lang: Language;
  readonly t: Readonly<Record<UiKey, string>>;
  readonly sevLabel: (s: Severity) => string;
  readonly ruleTitle: (id: string) => string;
  readonly ruleSeverity: (id: string, fallback: Severity) => Severity;
  readonly pssLabel: (pss: ReportRule['pss']) => string;
  readonly spread: (findings: number, workloads: number) => string;
  readonly metaById: ReadonlyMap<string, RuleMeta>;
  readonly reportRuleById: ReadonlyMap<string, ReportRule>;
  readonly row: (f: RowSource) => RowView;
  readonly active: readonly ReportFinding[];
  readonly exempted: readonly ReportFinding[];
}

const findingWorkloadKey = (f: Pick<ReportFinding, 'workload'>) => workloadKey(f.workload);

function viewContext(report: InspectionReport, rules: readonly RuleMeta[]): ViewContext {
  const lang = report.metadata.lang;
  const t = uiStrings(lang);
  const sevLabel = (s: Severity) => t[`severity_${s}`];
  const metaById = new Map(rules.map((m) => [m.id, m]));
  const reportRuleById = new Map(report.rules.map((r) => [r.id, r]));
  const ruleTitle = (id: string) => reportRuleById.get(id)?.title ?? metaById.get(id)?.title[lang] ?? id;
  const day = (iso: string) => iso.slice(0, 10);
  const row = (f: RowSource): RowView => {
    const expired = f.exemptionExpired;
    return {
      sev: f.severity,
      sevLabel: sevLabel(f.severity),
      nsKey: nsKey(f.workload.namespace),
      rule: f.ruleId,
      ruleTitle: ruleTitle(f.ruleId),
      kind: f.workload.kind,
      ns: f.workload.namespace,
      name: f.workload.name,
      container: f.container,
      msg: codeSegments(f.message),
      path: f.path,
      missing: f.missing ?? null,
      file: f.source?.file ?? null,
      line: f.source?.line ?? null,
      ownSeverity: false,
      expired: expired
        ? interpolate(t.exemptionExpired, { date: day(expired.expires ?? ''), reason: expired.reason })
        : null,
      exemptedBy: f.exempted ? t[`exemptBy_${f.exempted.by}`] : null,
      reason: f.exempted?.reason ?? null,
      expires: f.exempted?.expires ? interpolate(t.expires, { date: day(f.exempted.expires) }) : null,
    };
  };
  return {
    report,
    lang,
    t,
    sevLabel,
    ruleTitle,
    ruleSeverity: (id, fallback) =>
      reportRuleById.get(id)?.severity ?? metaById.get(id)?.severity ?? fallback,
    pssLabel: (pss) => (pss ? `${t.pssLevel}: ${t[`pss_${pss.level}`]}` : t.notPss),
    spread: (findings, workloads) =>
      findings === 1 && workloads === 1
        ? t.ruleSpreadOne
        : interpolate(t.ruleSpread, { findings, workloads }),
    metaById,
    reportRuleById,
    row,
    active: report.findings.filter((f) => !f.exempted),
    exempted: report.findings.filter((f) => f.exempted),
  };
}

/** One rule's unexempted findings, with its worst severity and how many workloads it touches. */
interface GroupStats {
  readonly id: string;
  readonly findings: readonly ReportFinding[];
  readonly worst: Severity;
  readonly workloads: number;
}

/** Findings grouped by rule, most urgent rule first. */
function groupByRule(active: readonly ReportFinding[]): GroupStats[] {
  const byRule = new Map<string, ReportFinding[]>();
  for (const f of active) {
    const list = byRule.get(f.ruleId) ?? [];
    list.push(f);
    byRule.set(f.ruleId, list);
  }
  const stats = [...byRule.entries()].map(([id, findings]) => ({
    id,
    findings,
    worst: findings.reduce<Severity>(
      (w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w),
      'info',
    ),
    workloads: new Set(findings.map(findingWorkloadKey)).size,
  }));
  return stats.sort(
    (a, b) =>
      severityRank(b.worst) - severityRank(a.worst) ||
      b.workloads - a.workloads ||
      b.findings.length - a.findings.length ||
      compareText(a.id, b.id),
  );
}

function ruleGroups(
  ctx: ViewContext,
  stats: readonly GroupStats[],
  lazyRows: boolean,
): { groups: RuleGroupView[]; groupRows: GroupRows[] } {
  const { t, lang } = ctx;
  const groups: RuleGroupView[] = stats.map(({ id, findings, worst, workloads }) => {
    const meta = ctx.metaById.get(id);
    const reportRule = ctx.reportRuleById.get(id);
    // The worst finding ranks the rule: a capability rule whose finding is SYS_ADMIN is critical here.
    const sev = worst;
    return {
      id,
      title: ctx.ruleTitle(id),
      sev,
      sevLabel: ctx.sevLabel(sev),
      pss: ctx.pssLabel(reportRule?.pss ?? meta?.pss ?? null),
      category:
        t[`category_${(reportRule?.category ?? meta?.category ?? 'kube-patrol').replace('-', '_')}` as UiKey],
      spread: ctx.spread(findings.length, workloads),
      why: meta ? codeSegments(meta.docs.why[lang]) : null,
      fix: meta ? codeSegments(meta.docs.fix[lang]) : null,
      snippet: meta?.docs.snippet ?? null,
      references: meta?.docs.references ?? [],
      open: severityRank(sev) >= severityRank('medium'),
      rows: lazyRows ? [] : findings.map((f) => ({ ...ctx.row(f), ownSeverity: f.severity !== sev })),
    };
  });
  const groupRows: GroupRows[] = groups.map((g, i) => {
    const { findings } = stats[i]!;
    return {
      count: findings.length,
      rows: (from, to) =>
        findings.slice(from, to).map((f) => ({ ...ctx.row(f), ownSeverity: f.severity !== g.sev })),
    };
  });
  return { groups, groupRows };
}

/** Namespaces, worst mean score first. */
function namespaceBreakdown(report: InspectionReport): HtmlView['namespaces'] {
  const namespaceStats = new Map<
    string,
    { name: string | null; scores: number[]; counts: Record<Severity, number>; exempted: number }
  >();
  const nsEntry = (namespace: string | null) => {
    const key = nsKey(namespace);
    let entry = namespaceStats.get(key);
    if (!entry) {
      entry = {
        name: namespace,
        scores: [],
        counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
        exempted: 0,
      };
      namespaceStats.set(key, entry);
    }
    return entry;
  };
  for (const w of report.workloads) nsEntry(w.namespace).scores.push(w.score);
  for (const f of report.findings) {
    const entry = nsEntry(f.workload.namespace);
    if (f.exempted) entry.exempted++;
    else entry.counts[f.severity]++;
  }
  const mean = (xs: number[]) =>
    xs.length === 0 ? 100 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  return [...namespaceStats.values()]
    .map((e) => ({
      name: e.name,
      workloads: e.scores.length,
      score: mean(e.scores),
      grade: gradeOf(mean(e.scores)),
      counts: SEVERITIES.map((sev) => ({ sev, n: e.counts[sev] })),
      exempted: e.exempted,
    }))
    .sort((a, b) => a.score - b.score || compareText(a.name ?? '', b.name ?? ''));
}

function exemptedCounts(exempted: readonly ReportFinding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of exempted) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

/** The rules table of the breakdown: rules with findings, then rules with only exempted ones. */
function ruleBreakdown(
  ctx: ViewContext,
  stats: readonly GroupStats[],
  exemptedByRule: ReadonlyMap<string, number>,
): HtmlView['ruleRows'] {
  const groupIds = new Set(stats.map((g) => g.id));
  return [
    ...stats.map((g) => ({ id: g.id, findings: g.findings.length, workloads: g.workloads, sev: g.worst })),
    ...[...exemptedByRule.keys()]
      .filter((id) => !groupIds.has(id))
      .map((id) => ({ id, findings: 0, workloads: 0, sev: ctx.ruleSeverity(id, 'info') })),
  ].map((r) => ({
    ...r,
    title: ctx.ruleTitle(r.id),
    sevLabel: ctx.sevLabel(r.sev),
    exempted: exemptedByRule.get(r.id) ?? 0,
    anchor: groupIds.has(r.id),
  }));
}

function worstWorkloads(report: InspectionReport): HtmlView['worst'] {
  return report.workloads
    .filter((w) => w.findings > 0)
    .sort((a, b) => a.score - b.score || b.findings - a.findings || compareText(a.name, b.name))
    .slice(0, WORST_WORKLOADS_LIMIT)
    .map((w) => ({
      kind: w.kind,
      ns: w.namespace,
      name: w.name,
      score: w.score,
      findings: w.findings,
      grade: gradeOf(w.score),
    }));
}

function severityChart(ctx: ViewContext): HtmlView['chart'] {
  const counts = ctx.report.summary.bySeverity;
  const maxCount = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const BAR_MAX = 200;
  const bars = SEVERITIES.map((sev, i) => {
    const width = counts[sev] === 0 ? 0 : Math.max(2, Math.round((counts[sev] / maxCount) * BAR_MAX));
    return {
      sev,
      label: ctx.sevLabel(sev),
      count: counts[sev],
      y: i * 30 + 4,
      ty: i * 30 + 20,
      width,
      cx: 90 + width + 8,
    };
  });
  return { height: SEVERITIES.length * 30 + 4, bars };
}

function diffView(ctx: ViewContext): HtmlView['diff'] {
  const d = ctx.report.diff;
  if (!d) return null;
  const score = ctx.report.summary.score;
  // No figure to compare when either scan has no verdict.
  const change = score === null || d.previousScore === null ? null : score - d.previousScore;
  const toRow = (e: ReportDiffEntry) => ctx.row(e);
  const newlyExempted = d.newlyExempted ?? [];
  const exemptionExpired = d.exemptionExpired ?? [];
  return {
    since: formatTimestamp(d.since),
    previousScore: d.previousScore === null ? '–' : String(d.previousScore),
    currentScore: score === null ? '–' : String(score),
    delta: change === null ? null : change > 0 ? `+${change}` : String(change),
    deltaClass: change === null || change === 0 ? 'same' : change > 0 ? 'up' : 'down',
    added: d.new.map(toRow),
    resolved: d.resolved.map(toRow),
    newlyExempted: newlyExempted.map(toRow),
    exemptionExpired: exemptionExpired.map(toRow),
    none: d.new.length + d.resolved.length + newlyExempted.length + exemptionExpired.length === 0,
  };
}

/** One line of what a manifest scan covered, from `report.coverage`. */
function describeCoverage(report: InspectionReport, t: Readonly<Record<UiKey, string>>): string | null {
  const c = report.coverage;
  // Manifest scans (files read); a cluster scan's coverage has its own box (coverageView).
  if (!c || c.filesRead === undefined) return null;
  return [
    interpolate(t.coverageWorkloads, { n: c.workloadsInspected }),
    interpolate(t.coverageFiles, { n: c.filesRead }),
  ].join(' · ');
}

function summaryView(ctx: ViewContext): HtmlView['summary'] {
  const { report, t } = ctx;
  const score = report.summary.score;
  const circumference = 2 * Math.PI * 52;
  const skippedEntries = Object.entries(report.summary.skipped);
  const grade = score === null ? 'none' : gradeOf(score);
  const empty = inspectedNothing(report);
  return {
    score,
    withheld: !report.summary.scoreWithheld
      ? null
      : report.summary.scoreWithheld === 'partial' && report.coverage?.filesRead !== undefined
        ? t.partialScan
        : t[`scoreWithheld_${report.summary.scoreWithheld}`],
    grade,
    gradeLabel:
      grade === 'none'
        ? ''
        : t[grade === 'good' ? 'scoreGood' : grade === 'fair' ? 'scoreFair' : 'scorePoor'],
    gauge: `${(((score ?? 0) / 100) * circumference).toFixed(1)} ${circumference.toFixed(1)}`,
    noVerdict: score !== null ? null : t[empty ? 'nothingInspected' : 'partialScan'],
    coverage: describeCoverage(report, t),
    pointsLost:
      score === null || report.summary.penalty === undefined
        ? null
        : interpolate(t.pointsLostHint, { n: report.summary.penalty }),
    workloads: report.summary.workloads,
    findings: report.summary.findings,
    exempted: report.summary.exempted,
    errors: report.errors.length,
    skipped:
      skippedEntries.length === 0 ? null : skippedEntries.map(([kind, n]) => `${kind} ${n}`).join(', '),
    atRisk: interpolate(t.workloadsAtRisk, {
      n: new Set(
        ctx.active.filter((f) => severityRank(f.severity) >= severityRank('high')).map(findingWorkloadKey),
      ).size,
      total: report.summary.workloads,
    }),
  };
}

/** What a cluster scan could list; for a partial one, the lists it was refused. */
function coverageView(ctx: ViewContext): HtmlView['coverage'] {
  const { report, t } = ctx;
  const coverage = report.coverage;
  // Manifest scans list no kinds and are refused nothing: their coverage is a line (describeCoverage).
  if (!coverage || coverage.filesRead !== undefined) return null;
  return {
    partial: coverage.partial,
    summary: interpolate(t.coverageSummary, {
      kinds: coverage.kindsListed.length,
      inspected: coverage.workloadsInspected,
      namespaces: coverage.namespacesSeen,
    }),
    denied: coverage.denied.map((d) => `${d.kind} (${d.namespace ?? t.coverageClusterWide}): ${d.status}`),
  };
}

function filterOptions(ctx: ViewContext): HtmlView['filter'] {
  const { report, t } = ctx;
  return {
    severities: SEVERITIES.map((sev) => ({
      sev,
      label: ctx.sevLabel(sev),
      count: ctx.active.filter((f) => f.severity === sev).length,
    })),
    namespaces: [...new Set(report.findings.map((f) => nsKey(f.workload.namespace)))]
      .sort()
      .map((key) => ({ key, label: key === '' ? t.noNamespace : key.slice(1) })),
    rules: [...new Set(report.findings.map((f) => f.ruleId))]
      .sort()
      .map((id) => ({ id, title: `${id}: ${ctx.ruleTitle(id)}` })),
  };
}

function rulesChecked(
  ctx: ViewContext,
  stats: readonly GroupStats[],
  exemptedByRule: ReadonlyMap<string, number>,
): HtmlView['rulesChecked'] {
  const { t } = ctx;
  const counts = new Map(stats.map((g) => [g.id, g.findings.length]));
  return ctx.report.rules.map((r) => {
    const n = counts.get(r.id) ?? 0;
    const x = exemptedByRule.get(r.id) ?? 0;
    return {
      id: r.id,
      title: r.title,
      sev: r.severity,
      sevLabel: ctx.sevLabel(r.severity),
      pss: ctx.pssLabel(r.pss),
      result:
        n > 0
          ? n === 1
            ? t.findingsCountOne
            : interpolate(t.findingsCount, { n })
          : x > 0
            ? interpolate(t.exemptedCount, { n: x })
            : null,
      anchor: n > 0,
    };
  });
}

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

/** The Access view: unexempted rbac-* findings grouped by the workload or binding they are on. */
function accessView(ctx: ViewContext): HtmlView['access'] {
  const entries = new Map<string, AccessEntry & { powers: AccessEntry['powers'][number][] }>();
  for (const f of ctx.active) {
    if (!f.ruleId.startsWith('rbac-')) continue;
    const key = workloadKey(f.workload);
    let entry = entries.get(key);
    if (!entry) {
      entry = { kind: f.workload.kind, ns: f.workload.namespace, name: f.workload.name, powers: [] };
      entries.set(key, entry);
    }
    entry.powers.push({
      sev: f.severity,
      sevLabel: ctx.sevLabel(f.severity),
      title: ctx.ruleTitle(f.ruleId),
      msg: codeSegments(f.message),
      evidence: f.evidence ?? [],
    });
  }
  if (entries.size === 0) return null;
  const all = [...entries.values()];
  return {
    workloads: all.filter((e) => !BINDING_KINDS.has(e.kind)),
    bindings: all.filter((e) => BINDING_KINDS.has(e.kind)),
  };
}

/** The namespaces' Pod Security advice: the level each can enforce, and the command. */
function podSecurityView(report: InspectionReport, t: HtmlView['t']): HtmlView['podSecurity'] {
  const advice = report.podSecurity;
  if (!advice || advice.namespaces.length === 0) return null;
  return {
    hint: interpolate(t.podSecurityHint, { version: advice.version }),
    rows: advice.namespaces.map((a) => ({
      ns: a.namespace,
      workloads: a.workloads,
      level: t[`pssLevel_${a.level}`],
      enforce: a.enforce ?? (a.namespaceRead ? t.pssEnforceNone : t.pssNamespaceNotRead),
      failing: interpolate(t.pssFailing, { baseline: a.failingBaseline, restricted: a.failingRestricted }),
      command: a.command,
    })),
  };
}

/**
 * At most this many workloads get commands on the page: two commands each, a 3,000-workload cluster would
 * add 2.7 MiB of HTML that nobody copies from; the JSON report carries every patch.
 */
const FIX_COMMANDS_LIMIT = 200;

/** The fix commands: one per workload with an unexempted fixable finding (the first FIX_COMMANDS_LIMIT). */
function fixesView(ctx: ViewContext, report: InspectionReport): HtmlView['fixes'] {
  const commands = fixCommands(report.findings);
  if (commands.length === 0) return null;
  return {
    hint: codeSegments(ctx.t.fixesHint),
    hintManifests: report.metadata.source === 'manifests' ? codeSegments(ctx.t.fixesHintManifests) : null,
    more:
      commands.length > FIX_COMMANDS_LIMIT
        ? codeSegments(interpolate(ctx.t.fixesMore, { count: commands.length - FIX_COMMANDS_LIMIT }))
        : null,
    workloads: commands.slice(0, FIX_COMMANDS_LIMIT).map((c) => ({
      kind: c.kind,
      ns: c.namespace,
      name: c.name,
      safeRules: c.safeRules.join(', '),
      reviewRules: c.reviewRules.join(', '),
      safe: c.safe,
      all: c.all,
      immutable: c.immutable,
    })),
  };
}

/** The view of a report: one function per section of the page. */
export function buildView(
  report: InspectionReport,
  rules: readonly RuleMeta[],
  assets: Pick<HtmlView, 'csp' | 'css' | 'js'>,
  lazyRows = false,
): { view: HtmlView; groupRows: GroupRows[] } {
  const ctx = viewContext(report, rules);
  const stats = groupByRule(ctx.active);
  const { groups, groupRows } = ruleGroups(ctx, stats, lazyRows);
  const exemptedByRule = exemptedCounts(ctx.exempted);
  const view: HtmlView = {
    lang: ctx.lang,
    t: ctx.t,
    csp: assets.csp,
    css: assets.css,
    js: assets.js,
    meta: {
      generatedAt: formatTimestamp(report.metadata.generatedAt),
      generatedAtIso: report.metadata.generatedAt,
      source: ctx.t[`source_${report.metadata.source}`],
      cluster: report.metadata.cluster ?? null,
      pssVersion: report.metadata.pssVersion,
      tool: `${report.metadata.tool.name} ${report.metadata.tool.version}`,
      duration: report.metadata.durationMs === undefined ? null : formatDuration(report.metadata.durationMs),
    },
    summary: summaryView(ctx),
    chart: severityChart(ctx),
    coverage: coverageView(ctx),
    fixFirst: groups
      .slice(0, FIX_FIRST_LIMIT)
      .map((g) => ({ id: g.id, title: g.title, sev: g.sev, sevLabel: g.sevLabel, spread: g.spread })),
    moreRules:
      groups.length > FIX_FIRST_LIMIT
        ? interpolate(ctx.t.moreRules, { count: groups.length - FIX_FIRST_LIMIT })
        : null,
    diff: diffView(ctx),
    namespaces: namespaceBreakdown(report),
    ruleRows: ruleBreakdown(ctx, stats, exemptedByRule),
    worst: worstWorkloads(report),
    filter: filterOptions(ctx),
    total: ctx.active.length,
    groups,
    exempted: ctx.exempted.map(ctx.row),
    fixes: fixesView(ctx, report),
    access: accessView(ctx),
    podSecurity: podSecurityView(report, ctx.t),
    errors: report.errors.map((e) => ({ source: e.source, line: e.line ?? null, message: e.message })),
    rulesChecked: rulesChecked(ctx, stats, exemptedByRule),
  };
  return { view, groupRows };
}
