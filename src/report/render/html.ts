import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Handlebars from 'handlebars';
import { interpolate, type Language } from '../../engine/i18n.ts';
import type { RuleMeta } from '../../engine/rule.ts';
import { SEVERITIES, severityRank, type Severity } from '../../engine/severity.ts';
import { projectRoot } from '../../version.ts';
import { uiStrings, type UiKey } from '../i18n/ui.ts';
import type { InspectionReport, ReportDiffEntry, ReportFinding, ReportRule } from '../model.ts';

export interface HtmlOptions {
  /** Rule metadata: why, fix, snippet and references of each rule, in every language. */
  readonly rules: readonly RuleMeta[];
}

/**
 * The HTML report: one self-contained file (CSS, JS and SVG inlined, no network), readable with
 * JavaScript off. Untrusted strings only ever reach the page through Handlebars' escaping `{{ }}`;
 * the only triple-stashes are the CSS and JS files of templates/, guarded by a CSP hash.
 */
export function renderHtml(report: InspectionReport, options: HtmlOptions): string {
  const assets = loadAssets();
  return assets.template(buildView(report, options, assets).view);
}

/**
 * The same text as renderHtml, in pieces: the page is rendered with one placeholder row per rule group,
 * and each group's rows are rendered in slices of `rowsPerChunk` where the placeholder was. A report of
 * tens of thousands of findings is never held as one string (nor as the rope of pieces the template
 * engine builds it from), nor are all its row views alive at once.
 */
export function* renderHtmlChunks(
  report: InspectionReport,
  options: HtmlOptions,
  rowsPerChunk = 500,
): Generator<string> {
  const assets = loadAssets();
  const { view, groupRows } = buildView(report, options, assets, true);
  if (!assets.rows) {
    yield assets.template({
      ...view,
      groups: view.groups.map((g, i) => ({ ...g, rows: groupRows[i]!.rows(0, groupRows[i]!.count) })),
    });
    return;
  }
  const marker = (i: number) => `\u0001kp-rows-${i}\u0001`;
  const placeholder = (i: number): RowView => ({
    sev: 'info',
    sevLabel: '',
    nsKey: marker(i),
    rule: '',
    ruleTitle: '',
    kind: '',
    ns: null,
    name: '',
    container: null,
    msg: [],
    path: '',
    missing: null,
    file: null,
    line: null,
    ownSeverity: false,
    expired: null,
    exemptedBy: null,
    reason: null,
    expires: null,
  });
  const page = assets.template({
    ...view,
    groups: view.groups.map((g, i) => ({ ...g, rows: [placeholder(i)] })),
  });
  let at = 0;
  for (let i = 0; i < groupRows.length; i++) {
    const start = page.indexOf(`<tr data-n="${marker(i)}"`, at);
    const end = start < 0 ? -1 : page.indexOf('</tr>\n', start);
    if (end < 0) throw new Error(`HTML report: no row placeholder for rule group ${i}`);
    yield page.slice(at, start);
    const { count, rows } = groupRows[i]!;
    for (let from = 0; from < count; from += rowsPerChunk)
      yield assets.rows({ t: view.t, rows: rows(from, Math.min(count, from + rowsPerChunk)) });
    at = end + '</tr>\n'.length;
  }
  yield page.slice(at);
}

// ---------------------------------------------------------------------------------------------
// Templates and assets: compiled once per process.

interface Assets {
  readonly template: Handlebars.TemplateDelegate<HtmlView>;
  /** The finding rows of one rule group (the `{{#each rows}}` block of partials/findings.hbs), if found. */
  readonly rows: Handlebars.TemplateDelegate<{ t: HtmlView['t']; rows: readonly RowView[] }> | undefined;
  readonly css: string;
  readonly js: string;
  readonly csp: string;
}

let cachedAssets: Assets | undefined;

/** Directory of the handlebars templates, the CSS and the JS of the HTML report. */
export function templatesDir(): string {
  return join(projectRoot(), 'templates');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function loadAssets(): Assets {
  if (cachedAssets) return cachedAssets;
  const dir = templatesDir();
  const hbs = Handlebars.create();
  const partialsDir = join(dir, 'partials');
  let rowsBlock: string | undefined;
  for (const file of readdirSync(partialsDir).sort()) {
    if (extname(file) !== '.hbs') continue;
    const text = readFileSync(join(partialsDir, file), 'utf8');
    hbs.registerPartial(basename(file, '.hbs'), text);
    if (file === 'findings.hbs') rowsBlock = /\{\{#each rows\}\}[\s\S]*?\{\{\/each\}\}\n/.exec(text)?.[0];
  }
  // Whitespace between tags is meaningless here; dropping line indentation keeps 10,000-row reports small.
  const css = readFileSync(join(dir, 'report.css'), 'utf8').trim();
  const js = readFileSync(join(dir, 'report.js'), 'utf8').trim();
  if (/<\/style/i.test(css) || /<\/script/i.test(js))
    throw new Error('templates: report.css/report.js must not close their own element');
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(css)}`,
    `script-src ${sha256(js)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const template = hbs.compile<HtmlView>(readFileSync(join(dir, 'report.hbs'), 'utf8'), {
    strict: true,
    preventIndent: true,
  });
  const rows = rowsBlock
    ? hbs.compile<{ t: HtmlView['t']; rows: readonly RowView[] }>(rowsBlock, {
        strict: true,
        preventIndent: true,
      })
    : undefined;
  cachedAssets = { template, rows, css, js, csp };
  return cachedAssets;
}

// ---------------------------------------------------------------------------------------------
// The view: every string and number the templates show, computed here so templates stay dumb.

/** A piece of prose: `code` spans from backticks in rule texts and messages. */
interface Segment {
  readonly c: boolean;
  readonly t: string;
}

interface RowView {
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

interface RuleGroupView {
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

interface HtmlView {
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
    readonly score: number;
    readonly grade: 'good' | 'fair' | 'poor';
    readonly gradeLabel: string;
    readonly gauge: string;
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
  readonly diff: {
    readonly since: string;
    readonly previousScore: number;
    readonly delta: string;
    readonly deltaClass: 'up' | 'down' | 'same';
    readonly added: readonly RowView[];
    readonly resolved: readonly RowView[];
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
interface GroupRows {
  readonly count: number;
  rows(from: number, to: number): RowView[];
}

function buildView(
  report: InspectionReport,
  options: HtmlOptions,
  assets: Assets,
  lazyRows = false,
): { view: HtmlView; groupRows: GroupRows[] } {
  const lang = report.metadata.lang;
  const t = uiStrings(lang);
  const sevLabel = (s: Severity) => t[`severity_${s}`];
  const metaById = new Map(options.rules.map((m) => [m.id, m]));
  const reportRuleById = new Map(report.rules.map((r) => [r.id, r]));
  const ruleTitle = (id: string) => reportRuleById.get(id)?.title ?? metaById.get(id)?.title[lang] ?? id;
  const ruleSeverity = (id: string, fallback: Severity) =>
    reportRuleById.get(id)?.severity ?? metaById.get(id)?.severity ?? fallback;
  const spread = (findings: number, workloads: number) =>
    findings === 1 && workloads === 1 ? t.ruleSpreadOne : interpolate(t.ruleSpread, { findings, workloads });
  const pssLabel = (pss: ReportRule['pss']) => (pss ? `${t.pssLevel}: ${t[`pss_${pss.level}`]}` : t.notPss);
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

  const active = report.findings.filter((f) => !f.exempted);
  const exempted = report.findings.filter((f) => f.exempted);

  // Findings grouped by rule, most urgent rule first.
  const byRule = new Map<string, ReportFinding[]>();
  for (const f of active) {
    const list = byRule.get(f.ruleId) ?? [];
    list.push(f);
    byRule.set(f.ruleId, list);
  }
  const workloadKey = (f: Pick<ReportFinding, 'workload'>) =>
    `${f.workload.kind}\u0000${f.workload.namespace ?? ''}\u0000${f.workload.name}`;
  const groupStats = [...byRule.entries()].map(([id, findings]) => ({
    id,
    findings,
    worst: findings.reduce<Severity>(
      (w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w),
      'info',
    ),
    workloads: new Set(findings.map(workloadKey)).size,
  }));
  groupStats.sort(
    (a, b) =>
      severityRank(b.worst) - severityRank(a.worst) ||
      b.workloads - a.workloads ||
      b.findings.length - a.findings.length ||
      a.id.localeCompare(b.id),
  );
  const groups: RuleGroupView[] = groupStats.map(({ id, findings, worst, workloads }) => {
    const meta = metaById.get(id);
    const reportRule = reportRuleById.get(id);
    // The worst finding ranks the rule: a capability rule whose finding is SYS_ADMIN is critical here.
    const sev = worst;
    return {
      id,
      title: ruleTitle(id),
      sev,
      sevLabel: sevLabel(sev),
      pss: pssLabel(reportRule?.pss ?? meta?.pss ?? null),
      category:
        t[`category_${(reportRule?.category ?? meta?.category ?? 'kube-patrol').replace('-', '_')}` as UiKey],
      spread: spread(findings.length, workloads),
      why: meta ? codeSegments(meta.docs.why[lang]) : null,
      fix: meta ? codeSegments(meta.docs.fix[lang]) : null,
      snippet: meta?.docs.snippet ?? null,
      references: meta?.docs.references ?? [],
      open: severityRank(sev) >= severityRank('medium'),
      rows: lazyRows ? [] : findings.map((f) => ({ ...row(f), ownSeverity: f.severity !== sev })),
    };
  });
  const groupRows: GroupRows[] = groups.map((g, i) => {
    const { findings } = groupStats[i]!;
    return {
      count: findings.length,
      rows: (from, to) =>
        findings.slice(from, to).map((f) => ({ ...row(f), ownSeverity: f.severity !== g.sev })),
    };
  });

  // Namespaces, worst mean score first.
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
  const namespaces = [...namespaceStats.values()]
    .map((e) => ({
      name: e.name,
      workloads: e.scores.length,
      score: mean(e.scores),
      grade: gradeOf(mean(e.scores)),
      counts: SEVERITIES.map((sev) => ({ sev, n: e.counts[sev] })),
      exempted: e.exempted,
    }))
    .sort((a, b) => a.score - b.score || (a.name ?? '').localeCompare(b.name ?? ''));

  const exemptedByRule = new Map<string, number>();
  for (const f of exempted) exemptedByRule.set(f.ruleId, (exemptedByRule.get(f.ruleId) ?? 0) + 1);
  const groupIds = new Set(groups.map((g) => g.id));
  const ruleRows = [
    ...groupStats.map((g) => ({
      id: g.id,
      findings: g.findings.length,
      workloads: g.workloads,
      sev: g.worst,
    })),
    ...[...exemptedByRule.keys()]
      .filter((id) => !groupIds.has(id))
      .map((id) => ({ id, findings: 0, workloads: 0, sev: ruleSeverity(id, 'info') })),
  ].map((r) => ({
    ...r,
    title: ruleTitle(r.id),
    sevLabel: sevLabel(r.sev),
    exempted: exemptedByRule.get(r.id) ?? 0,
    anchor: groupIds.has(r.id),
  }));

  const worst = report.workloads
    .filter((w) => w.findings > 0)
    .sort((a, b) => a.score - b.score || b.findings - a.findings || a.name.localeCompare(b.name))
    .slice(0, WORST_WORKLOADS_LIMIT)
    .map((w) => ({
      kind: w.kind,
      ns: w.namespace,
      name: w.name,
      score: w.score,
      findings: w.findings,
      grade: gradeOf(w.score),
    }));

  const counts = report.summary.bySeverity;
  const maxCount = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const BAR_MAX = 200;
  const bars = SEVERITIES.map((sev, i) => {
    const width = counts[sev] === 0 ? 0 : Math.max(2, Math.round((counts[sev] / maxCount) * BAR_MAX));
    return {
      sev,
      label: sevLabel(sev),
      count: counts[sev],
      y: i * 30 + 4,
      ty: i * 30 + 20,
      width,
      cx: 90 + width + 8,
    };
  });

  const score = report.summary.score;
  const circumference = 2 * Math.PI * 52;
  const skippedEntries = Object.entries(report.summary.skipped);

  const diff = report.diff
    ? (() => {
        const d = report.diff;
        const change = score - d.previousScore;
        const toRow = (e: ReportDiffEntry) => row(e);
        return {
          since: formatTimestamp(d.since),
          previousScore: d.previousScore,
          delta: change > 0 ? `+${change}` : String(change),
          deltaClass: change > 0 ? ('up' as const) : change < 0 ? ('down' as const) : ('same' as const),
          added: d.new.map(toRow),
          resolved: d.resolved.map(toRow),
          none: d.new.length === 0 && d.resolved.length === 0,
        };
      })()
    : null;

  const namespaceOptions = [...new Set(report.findings.map((f) => nsKey(f.workload.namespace)))]
    .sort()
    .map((key) => ({ key, label: key === '' ? t.noNamespace : key.slice(1) }));
  const ruleOptions = [...new Set(report.findings.map((f) => f.ruleId))]
    .sort()
    .map((id) => ({ id, title: `${id}: ${ruleTitle(id)}` }));
  const activeRuleIds = new Set(active.map((f) => f.ruleId));

  const view: HtmlView = {
    lang,
    t,
    csp: assets.csp,
    css: assets.css,
    js: assets.js,
    meta: {
      generatedAt: formatTimestamp(report.metadata.generatedAt),
      generatedAtIso: report.metadata.generatedAt,
      source: t[`source_${report.metadata.source}`],
      cluster: report.metadata.cluster ?? null,
      pssVersion: report.metadata.pssVersion,
      tool: `${report.metadata.tool.name} ${report.metadata.tool.version}`,
      duration: report.metadata.durationMs === undefined ? null : formatDuration(report.metadata.durationMs),
    },
    summary: {
      score,
      grade: gradeOf(score),
      gradeLabel:
        t[gradeOf(score) === 'good' ? 'scoreGood' : gradeOf(score) === 'fair' ? 'scoreFair' : 'scorePoor'],
      gauge: `${((score / 100) * circumference).toFixed(1)} ${circumference.toFixed(1)}`,
      workloads: report.summary.workloads,
      findings: report.summary.findings,
      exempted: report.summary.exempted,
      errors: report.errors.length,
      skipped:
        skippedEntries.length === 0 ? null : skippedEntries.map(([kind, n]) => `${kind} ${n}`).join(', '),
      atRisk: interpolate(t.workloadsAtRisk, {
        n: new Set(active.filter((f) => severityRank(f.severity) >= severityRank('high')).map(workloadKey))
          .size,
        total: report.summary.workloads,
      }),
    },
    chart: { height: SEVERITIES.length * 30 + 4, bars },
    fixFirst: groups
      .slice(0, FIX_FIRST_LIMIT)
      .map((g) => ({ id: g.id, title: g.title, sev: g.sev, sevLabel: g.sevLabel, spread: g.spread })),
    moreRules:
      groups.length > FIX_FIRST_LIMIT
        ? interpolate(t.moreRules, { count: groups.length - FIX_FIRST_LIMIT })
        : null,
    diff,
    namespaces,
    ruleRows,
    worst,
    filter: {
      severities: SEVERITIES.map((sev) => ({
        sev,
        label: sevLabel(sev),
        count: active.filter((f) => f.severity === sev).length,
      })),
      namespaces: namespaceOptions,
      rules: ruleOptions,
    },
    total: active.length,
    groups,
    exempted: exempted.map(row),
    errors: report.errors.map((e) => ({ source: e.source, line: e.line ?? null, message: e.message })),
    rulesChecked: report.rules.map((r) => ({
      id: r.id,
      title: r.title,
      sev: r.severity,
      sevLabel: sevLabel(r.severity),
      pss: pssLabel(r.pss),
      result: (() => {
        const n = byRule.get(r.id)?.length ?? 0;
        const x = exemptedByRule.get(r.id) ?? 0;
        if (n > 0) return n === 1 ? t.findingsCountOne : interpolate(t.findingsCount, { n });
        return x > 0 ? interpolate(t.exemptedCount, { n: x }) : null;
      })(),
      anchor: activeRuleIds.has(r.id),
    })),
  };
  return { view, groupRows };
}
