import type { Language } from '../engine/i18n.ts';
import { formatPssVersion, type PssVersion } from '../engine/pss-version.ts';
import type { AnyRule } from '../engine/rule.ts';
import type { WorkloadResult } from '../engine/run.ts';
import { countBySeverity, overallScore, workloadPenalty } from '../engine/score.ts';
import type { Severity } from '../engine/severity.ts';
import { diffReports, type DiffBase } from './diff.ts';
import { reportFindingBuilder } from './messages.ts';
import {
  REPORT_API_VERSION,
  REPORT_KIND,
  type InspectionReport,
  type ReportCoverage,
  type ReportError,
  type ReportFinding,
  type ReportObject,
  type ReportPodSecurity,
  type ReportSource,
  type ReportWorkload,
} from './model.ts';
import { sortFindings } from './sort.ts';
import { compareText } from '../shared/collate.ts';

/** What a report says about the scan as a whole, known before any result is added. */
export interface ReportSettings {
  /** The rules that ran. */
  readonly rules: readonly AnyRule[];
  /** Severity overrides from config, so the rule list shows what was applied. */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  readonly lang: Language;
  readonly source: ReportSource;
  readonly pssVersion: PssVersion;
  readonly toolVersion: string;
  readonly cluster?: string;
}

/** What is known once every result is in. */
export interface ReportCompletion {
  readonly errors: readonly ReportError[];
  readonly skipped?: ReadonlyMap<string, number>;
  readonly generatedAt: Date;
  readonly durationMs?: number;
  /** The previous report (or just what a diff needs of it), to list new and resolved findings. */
  readonly previous?: InspectionReport | DiffBase;
  /** What the scan could see (cluster: kinds listed and refused; manifests: files read); partial withholds the score. */
  readonly coverage?: ReportCoverage;
  /** The namespaces' Pod Security advice, when the scan computed it. */
  readonly podSecurity?: ReportPodSecurity;
}

export interface BuildReportInput extends ReportSettings, ReportCompletion {
  readonly results: readonly WorkloadResult[];
}

/**
 * Builds a report from results handed over one at a time. Each result's findings become report findings
 * (id, text) as it is added, so a caller that lets go of the result keeps one copy of every finding.
 */
export interface ReportAssembler {
  add(result: WorkloadResult): void;
  /** A result already turned into report entries (by resultPreparer of the same rules and language). */
  addPrepared(result: PreparedResult): void;
  finish(completion: ReportCompletion): InspectionReport;
}

/**
 * One subject's result as the report keeps it: plain data (no functions, no shared state), so a worker
 * thread can prepare it and the thread that assembles the report add it (structured clone).
 */
export interface PreparedResult {
  readonly subject: WorkloadResult['subject'];
  readonly entry: ReportWorkload;
  readonly findings: readonly ReportFinding[];
  /** The subject's points lost (workloadPenalty of its findings). */
  readonly penalty: number;
}

/** Turns engine results into report entries; the same rules and language give the same entries anywhere. */
export function resultPreparer(
  rules: readonly AnyRule[],
  lang: Language,
): (result: WorkloadResult) => PreparedResult {
  const toReport = reportFindingBuilder(rules, lang);
  return (result) => {
    let unexempted = 0;
    const findings: ReportFinding[] = [];
    for (const finding of result.findings) {
      if (!finding.exempted) unexempted++;
      findings.push(toReport(finding));
    }
    const entry = {
      ...result.workload,
      score: result.score,
      findings: unexempted,
      ...(result.source ? { source: result.source } : {}),
    };
    return { subject: result.subject, entry, findings, penalty: workloadPenalty(result.findings) };
  };
}

export function createReportAssembler(settings: ReportSettings): ReportAssembler {
  const prepare = resultPreparer(settings.rules, settings.lang);
  const findings: ReportFinding[] = [];
  const workloads: ReportWorkload[] = [];
  const objects: ReportObject[] = [];
  const scores: number[] = [];
  let penalty = 0;
  const addPrepared = (result: PreparedResult): void => {
    penalty += result.penalty;
    // One push per finding: a spread of a hostile object's thousands of findings would be one huge call.
    for (const finding of result.findings) findings.push(finding);
    scores.push(result.entry.score);
    if (result.subject === 'pod-spec') workloads.push(result.entry);
    else objects.push({ subject: result.subject, ...result.entry });
  };
  return {
    add: (result) => addPrepared(prepare(result)),
    addPrepared,
    finish: (completion) => assemble(settings, completion, { workloads, objects, scores, findings, penalty }),
  };
}

/** The report of results already at hand (tests, benchmarks, small scans). */
export function buildReport(input: BuildReportInput): InspectionReport {
  const assembler = createReportAssembler(input);
  for (const result of input.results) assembler.add(result);
  return assembler.finish(input);
}

function assemble(
  settings: ReportSettings,
  completion: ReportCompletion,
  parts: {
    readonly workloads: readonly ReportWorkload[];
    readonly objects: readonly ReportObject[];
    /** One per subject, workloads and objects alike. */
    readonly scores: readonly number[];
    readonly findings: ReportFinding[];
    /** Points lost by all subjects together, without the per-workload floor. */
    readonly penalty: number;
  },
): InspectionReport {
  const { workloads, objects, scores, findings } = parts;
  const lang = settings.lang;
  let unexempted = 0;
  for (const f of findings) if (!f.exempted) unexempted++;
  const base: InspectionReport = {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    metadata: {
      generatedAt: completion.generatedAt.toISOString(),
      source: settings.source,
      pssVersion: formatPssVersion(settings.pssVersion),
      lang,
      tool: { name: 'kube-patrol', version: settings.toolVersion },
      ...(settings.cluster ? { cluster: settings.cluster } : {}),
      ...(completion.durationMs === undefined ? {} : { durationMs: Math.round(completion.durationMs) }),
    },
    summary: {
      // A score over what a scan could not see, or over nothing, would read as "all is well".
      ...(completion.coverage?.partial
        ? { score: null, scoreWithheld: 'partial' as const }
        : scores.length === 0
          ? { score: null, scoreWithheld: 'empty' as const }
          : { score: overallScore(scores) }),
      workloads: workloads.length,
      ...(scores.length > 0 ? { penalty: parts.penalty } : {}),
      findings: unexempted,
      exempted: findings.length - unexempted,
      ...(objects.length > 0 ? { objects: objects.length } : {}),
      bySeverity: countBySeverity(findings),
      skipped: Object.fromEntries(
        [...(completion.skipped ?? new Map<string, number>())].sort(([a], [b]) => compareText(a, b)),
      ),
    },
    rules: settings.rules.map((rule) => ({
      id: rule.meta.id,
      title: rule.meta.title[lang],
      severity: settings.severityOverrides?.[rule.meta.id] ?? rule.meta.severity,
      category: rule.meta.category,
      pss: rule.meta.pss,
      subject: rule.meta.subject,
    })),
    workloads,
    ...(objects.length > 0 ? { objects } : {}),
    findings: sortFindings(findings),
    errors: completion.errors,
    ...(completion.coverage ? { coverage: completion.coverage } : {}),
    ...(completion.podSecurity ? { podSecurity: completion.podSecurity } : {}),
  };
  if (!completion.previous) return base;
  const previous =
    'apiVersion' in completion.previous
      ? {
          generatedAt: completion.previous.metadata.generatedAt,
          score: completion.previous.summary.score,
          findings: completion.previous.findings,
        }
      : completion.previous;
  return {
    ...base,
    diff: {
      since: previous.generatedAt,
      previousScore: previous.score,
      ...diffReports(previous, base, previous.generatedAt),
    },
  };
}
