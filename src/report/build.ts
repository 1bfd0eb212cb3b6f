import { hash } from 'node:crypto';
import type { Language } from '../engine/i18n.ts';
import type { Finding } from '../engine/finding.ts';
import { formatPssVersion, type PssVersion } from '../engine/pss-version.ts';
import type { AnyRule } from '../engine/rule.ts';
import { countBySeverity, overallScore } from '../engine/score.ts';
import { severityRank, type Severity } from '../engine/severity.ts';
import type { WorkloadRef } from '../workloads/model.ts';
import type { WorkloadResult } from '../engine/run.ts';
import {
  REPORT_API_VERSION,
  REPORT_KIND,
  type InspectionReport,
  type ReportDiff,
  type ReportDiffEntry,
  type ReportError,
  type ReportFinding,
  type ReportSource,
} from './model.ts';

export interface BuildReportInput {
  readonly results: readonly WorkloadResult[];
  readonly errors: readonly ReportError[];
  readonly skipped?: ReadonlyMap<string, number>;
  /** The rules that ran. */
  readonly rules: readonly AnyRule[];
  /** Severity overrides from config, so the rule list shows what was applied. */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  readonly lang: Language;
  readonly source: ReportSource;
  readonly pssVersion: PssVersion;
  readonly generatedAt: Date;
  readonly toolVersion: string;
  readonly cluster?: string;
  readonly durationMs?: number;
  /** The previous report (or just what a diff needs of it), to list new and resolved findings. */
  readonly previous?: InspectionReport | DiffBase;
}

/**
 * What a diff needs of an earlier report: when it was made, its score, and its unexempted findings as diff
 * entries. The operator keeps this between scans (and reads it back without parsing the whole report).
 */
export interface DiffBase {
  readonly generatedAt: string;
  readonly score: number;
  /** Unexempted findings only. */
  readonly findings: readonly ReportDiffEntry[];
}

export function diffBaseOf(report: InspectionReport | DiffBase): DiffBase {
  if (!('apiVersion' in report)) return report;
  return {
    generatedAt: report.metadata.generatedAt,
    score: report.summary.score,
    findings: report.findings.filter((f) => !f.exempted).map(diffEntry),
  };
}

/** Hex digits of a finding id taken from its workload, and from the rest of its key. */
const WORKLOAD_ID_DIGITS = 12;
const FINDING_ID_DIGITS = 8;
export const FINDING_ID_LENGTH = WORKLOAD_ID_DIGITS + FINDING_ID_DIGITS;

type FindingKey = Pick<Finding, 'ruleId' | 'workload' | 'container' | 'path' | 'missing'>;

// One-shot hash(): the same digits as createHash('sha256'), at a third of the cost.
const sha256Hex = (key: string, digits: number): string => hash('sha256', key, 'hex').slice(0, digits);
const workloadKey = ({ kind, namespace, name }: WorkloadRef): string =>
  `${kind}\u0000${namespace ?? ''}\u0000${name}`;
const restKey = (f: FindingKey): string =>
  `${f.ruleId}\u0000${f.container ?? ''}\u0000${f.path}\u0000${f.missing ?? ''}`;

/**
 * A finding's id, stable across scans: 12 hex digits of the sha256 of its workload, then 8 of the sha256
 * of its rule, container, path and missing field. Findings of one workload share the first part and the
 * same rule at the same path shares the second, so ids cost a compressor little (ADR 0006); two findings
 * collide only if both parts do (80 bits in all).
 */
export function findingId(finding: FindingKey): string {
  return (
    sha256Hex(workloadKey(finding.workload), WORKLOAD_ID_DIGITS) +
    sha256Hex(restKey(finding), FINDING_ID_DIGITS)
  );
}

/** findingId with both parts memoized, for the many findings of one scan (or one report read back). */
export function findingIds(): (finding: FindingKey) => string {
  // Findings of one workload usually share its WorkloadRef object: looked up by identity first.
  const byRef = new WeakMap<WorkloadRef, string>();
  const byKey = new Map<string, string>();
  const rests = new Map<string, string>();
  return (finding) => {
    let head = byRef.get(finding.workload);
    if (head === undefined) {
      const w = workloadKey(finding.workload);
      head = byKey.get(w);
      if (head === undefined) byKey.set(w, (head = sha256Hex(w, WORKLOAD_ID_DIGITS)));
      byRef.set(finding.workload, head);
    }
    const r = restKey(finding);
    let tail = rests.get(r);
    if (tail === undefined) rests.set(r, (tail = sha256Hex(r, FINDING_ID_DIGITS)));
    return head + tail;
  };
}

/**
 * The findings of a report read back from storage, with ids derived anew from their fields: a report
 * written by an earlier version (whose ids were made differently) still diffs finding by finding.
 */
export function withCurrentIds<F extends FindingKey & { readonly id: string }>(findings: readonly F[]): F[] {
  const ids = findingIds();
  return findings.map((f) => {
    const id = ids(f);
    return id === f.id ? f : { ...f, id };
  });
}

/**
 * Dense ranks of strings in localeCompare order (strings that compare equal share a rank), so a sort
 * of many findings compares small integers instead of calling localeCompare on every comparison.
 */
function localeRanks(values: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(values)].sort((a, b) => a.localeCompare(b));
  const ranks = new Map<string, number>();
  let rank = 0;
  sorted.forEach((value, i) => {
    if (i > 0 && sorted[i - 1]!.localeCompare(value) !== 0) rank++;
    ranks.set(value, rank);
  });
  return ranks;
}

function compareWorkloads(a: WorkloadRef, b: WorkloadRef): number {
  return (
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.kind.localeCompare(b.kind) ||
    a.name.localeCompare(b.name)
  );
}

/**
 * Sorts by severity (most severe first), namespace, kind, name, rule and path, each in localeCompare
 * order; stable, so equal findings keep the engine's order. The order is resolved once per distinct
 * workload, rule and path; each finding then gets one integer key, and keys are sorted natively.
 */
function sortFindings(findings: ReportFinding[]): ReportFinding[] {
  const count = findings.length;
  // Findings of one workload share its WorkloadRef object: rank the distinct objects.
  const refs = [...new Set(findings.map((f) => f.workload))].sort(compareWorkloads);
  const workloadRank = new Map<WorkloadRef, number>();
  refs.forEach((ref, i) =>
    workloadRank.set(
      ref,
      i > 0 && compareWorkloads(refs[i - 1] as WorkloadRef, ref) === 0
        ? (workloadRank.get(refs[i - 1] as WorkloadRef) as number)
        : i,
    ),
  );
  const rules = localeRanks(findings.map((f) => f.ruleId));
  const paths = localeRanks(findings.map((f) => f.path));
  const ruleSpan = rules.size + 1;
  const pathSpan = paths.size + 1;
  const workloadSpan = refs.length + 1;
  const keyOf = (f: ReportFinding): number =>
    (((5 - severityRank(f.severity)) * workloadSpan + (workloadRank.get(f.workload) as number)) * ruleSpan +
      (rules.get(f.ruleId) as number)) *
      pathSpan +
    (paths.get(f.path) as number);
  if (8 * workloadSpan * ruleSpan * pathSpan * (count + 1) < Number.MAX_SAFE_INTEGER) {
    // key * count + index is exact: a native numeric sort of one Float64Array, the index as tie-break.
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = keyOf(findings[i] as ReportFinding) * count + i;
    packed.sort();
    return Array.from(packed, (value) => findings[value % count] as ReportFinding);
  }
  // Too many distinct values to pack: compare the ranks one by one.
  const order = findings.map((_, i) => i);
  order.sort((a, b) => {
    const x = findings[a] as ReportFinding;
    const y = findings[b] as ReportFinding;
    return (
      severityRank(y.severity) - severityRank(x.severity) ||
      (workloadRank.get(x.workload) as number) - (workloadRank.get(y.workload) as number) ||
      (rules.get(x.ruleId) as number) - (rules.get(y.ruleId) as number) ||
      (paths.get(x.path) as number) - (paths.get(y.path) as number) ||
      a - b
    );
  });
  return order.map((i) => findings[i] as ReportFinding);
}

/** A message split at its `{{name}}` placeholders, parsed once per report rather than once per finding. */
interface MessageTemplate {
  /** Text around the placeholders: one more than `names`. */
  readonly texts: readonly string[];
  readonly names: readonly string[];
  /** Each placeholder as written, kept when the finding has no such value. */
  readonly placeholders: readonly string[];
}

/** The same placeholders as interpolate() in engine/i18n.ts. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function compileMessage(text: string): MessageTemplate {
  const texts: string[] = [];
  const names: string[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    texts.push(text.slice(last, match.index));
    names.push(match[1] as string);
    placeholders.push(match[0]);
    last = match.index + match[0].length;
  }
  texts.push(text.slice(last));
  return { texts, names, placeholders };
}

/** interpolate(text, { container: finding.container ?? '', ...finding.data }), without building that object. */
function fillMessage(template: MessageTemplate, finding: Finding): string {
  const { texts, names, placeholders } = template;
  if (names.length === 0) return texts[0] as string;
  const parts: string[] = [texts[0] as string];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (Object.hasOwn(finding.data, name)) parts.push(String(finding.data[name]));
    else if (name === 'container') parts.push(finding.container ?? '');
    else parts.push(placeholders[i] as string);
    parts.push(texts[i + 1] as string);
  }
  // join() gives one flat string; `+=` would keep a rope of small pieces alive in every finding.
  return parts.join('');
}

function diffEntry(f: ReportDiffEntry): ReportDiffEntry {
  return {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    workload: f.workload,
    container: f.container,
    path: f.path,
    message: f.message,
  };
}

/** New and resolved unexempted findings relative to an earlier report. */
export function diffReports(
  previous: Pick<InspectionReport, 'findings'> | DiffBase,
  current: Pick<InspectionReport, 'findings'>,
): Omit<ReportDiff, 'since' | 'previousScore'> {
  const active = (r: { readonly findings: readonly (ReportDiffEntry & { readonly exempted?: unknown })[] }) =>
    new Map(r.findings.filter((f) => !f.exempted).map((f) => [f.id, f]));
  const before = active(previous);
  const after = active(current);
  return {
    new: [...after.values()].filter((f) => !before.has(f.id)).map(diffEntry),
    resolved: [...before.values()].filter((f) => !after.has(f.id)).map(diffEntry),
  };
}

/**
 * Turns engine findings into report findings (identity, message and remediation in the report language).
 * A scan can apply it to each workload's findings as they come, so that the engine's findings are garbage
 * at once and only one copy of every finding lives: buildReport takes report findings as they are.
 */
export function reportFindingBuilder(
  rules: readonly AnyRule[],
  lang: Language,
): (finding: Finding) => ReportFinding {
  const metaById = new Map(rules.map((rule) => [rule.meta.id, rule.meta]));
  const templates = new Map<string, MessageTemplate>();
  const ids = findingIds();
  return (finding) => {
    if (isReportFinding(finding)) return finding;
    const meta = metaById.get(finding.ruleId);
    let message = finding.messageId;
    if (meta) {
      const text = meta.messages[finding.messageId]?.[lang] ?? finding.messageId;
      let template = templates.get(text);
      if (!template) templates.set(text, (template = compileMessage(text)));
      message = fillMessage(template, finding);
    }
    return { id: ids(finding), ...finding, message, remediation: meta ? meta.docs.fix[lang] : '' };
  };
}

function isReportFinding(finding: Finding): finding is ReportFinding {
  return (
    typeof (finding as Partial<ReportFinding>).id === 'string' &&
    typeof (finding as Partial<ReportFinding>).message === 'string'
  );
}

export function buildReport(input: BuildReportInput): InspectionReport {
  const lang = input.lang;
  const toReport = reportFindingBuilder(input.rules, lang);
  const findings: ReportFinding[] = [];
  for (const result of input.results) {
    for (const finding of result.findings) findings.push(toReport(finding));
  }
  const sorted = sortFindings(findings);
  let unexempted = 0;
  for (const f of findings) if (!f.exempted) unexempted++;
  const workloads = input.results.map((r) => ({
    ...r.workload,
    score: r.score,
    findings: r.findings.filter((f) => !f.exempted).length,
    ...(r.source ? { source: r.source } : {}),
  }));
  const base: InspectionReport = {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    metadata: {
      generatedAt: input.generatedAt.toISOString(),
      source: input.source,
      pssVersion: formatPssVersion(input.pssVersion),
      lang,
      tool: { name: 'kube-patrol', version: input.toolVersion },
      ...(input.cluster ? { cluster: input.cluster } : {}),
      ...(input.durationMs === undefined ? {} : { durationMs: Math.round(input.durationMs) }),
    },
    summary: {
      score: overallScore(input.results.map((r) => r.score)),
      workloads: input.results.length,
      findings: unexempted,
      exempted: findings.length - unexempted,
      bySeverity: countBySeverity(findings),
      skipped: Object.fromEntries(
        [...(input.skipped ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
    rules: input.rules.map((rule) => ({
      id: rule.meta.id,
      title: rule.meta.title[lang],
      severity: input.severityOverrides?.[rule.meta.id] ?? rule.meta.severity,
      category: rule.meta.category,
      pss: rule.meta.pss,
    })),
    workloads,
    findings: sorted,
    errors: input.errors,
  };
  if (!input.previous) return base;
  const previous =
    'apiVersion' in input.previous
      ? {
          generatedAt: input.previous.metadata.generatedAt,
          score: input.previous.summary.score,
          findings: input.previous.findings,
        }
      : input.previous;
  return {
    ...base,
    diff: { since: previous.generatedAt, previousScore: previous.score, ...diffReports(previous, base) },
  };
}
