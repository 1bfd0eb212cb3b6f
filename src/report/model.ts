import type { Language } from '../engine/i18n.ts';
import type { PssRef, RuleCategory } from '../engine/rule.ts';
import type { NamespaceAdvice } from '../engine/pod-security-level.ts';

export type { NamespaceAdvice } from '../engine/pod-security-level.ts';
import type { Severity } from '../engine/severity.ts';
import type { Exemption, Finding } from '../engine/finding.ts';
import type { SubjectKind } from '../engine/subject.ts';
import type { WorkloadRef } from '../workloads/model.ts';

/**
 * The versioned report model (docs/report-format.md, schemas/report.schema.json). Renderers are pure
 * functions of it. Field names may grow; existing ones never change meaning.
 */
export const REPORT_API_VERSION = 'kube-patrol.io/v1alpha1';
export const REPORT_KIND = 'InspectionReport';

export type ReportSource = 'cluster' | 'manifests';

export interface ReportRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly pss: PssRef | null;
  /** What the rule inspects (ADR 0008). */
  readonly subject: SubjectKind;
}

export interface ReportWorkload extends WorkloadRef {
  readonly score: number;
  /** Unexempted findings of this workload. */
  readonly findings: number;
  readonly source?: { readonly file: string; readonly line?: number };
}

/** An object other than a workload that rules inspected (a RoleBinding, a SeccompProfile, a Node, ...). */
export interface ReportObject extends ReportWorkload {
  readonly subject: Exclude<SubjectKind, 'pod-spec'>;
}

/** A finding as reported: the engine's finding with its identity and text in the report language. */
export interface ReportFinding extends Finding {
  /** Stable identity of the finding across scans (hash of rule, workload, container, path). */
  readonly id: string;
  readonly message: string;
  readonly remediation: string;
}

export interface ReportError {
  readonly source: string;
  readonly message: string;
  readonly line?: number;
}

export interface SeverityCounts {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly info: number;
}

export interface ReportDiffEntry {
  readonly id: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly workload: WorkloadRef;
  readonly container: string | null;
  readonly path: string;
  readonly message: string;
  /** Entries of `newlyExempted`: the exemption that hides the finding now. */
  readonly exempted?: Exemption;
  /** Entries of `exemptionExpired`: the exemption that no longer applies. */
  readonly exemptionExpired?: Exemption;
}

/**
 * What changed since the previous report. A finding that disappears from the unexempted list was either
 * fixed (`resolved`: it is gone) or only exempted (`newlyExempted`: still there, now with a reason); one
 * that appears is either new or came back because its exemption expired. The four lists are disjoint.
 */
export interface ReportDiff {
  /** When the previous report was generated. */
  readonly since: string;
  readonly previousScore: number | null;
  /** Unexempted now, not before, and not because an exemption expired. */
  readonly new: readonly ReportDiffEntry[];
  /** Unexempted before, and no longer in the report at all: fixed (or the workload is gone). */
  readonly resolved: readonly ReportDiffEntry[];
  /** Unexempted before, exempted now: not fixed. Absent in reports written before it was recorded. */
  readonly newlyExempted?: readonly ReportDiffEntry[];
  /** Unexempted now because a config exemption expired. Absent in older reports. */
  readonly exemptionExpired?: readonly ReportDiffEntry[];
}

/** A kind the scan was refused to list (403), across the cluster or in one namespace. */
export interface ReportDeniedList {
  readonly kind: string;
  /** Null: the cluster-wide list. */
  readonly namespace: string | null;
  readonly status: number;
}

/**
 * What a cluster scan could see. A scan that was refused some workload kind is `partial`: its findings
 * and score describe only what it could list, so the score is withheld (`summary.score` null).
 */
export interface ReportCoverage {
  readonly partial: boolean;
  /** Workload kinds listed (in at least one namespace of the scope; `denied` says where one was not). */
  readonly kindsListed: readonly string[];
  /** Lists refused (403): workload kinds, and Namespace when namespace globs could not be resolved. */
  readonly denied: readonly ReportDeniedList[];
  /** Objects with a pod template that were inspected (owned ones collapsed onto their owner included). */
  readonly workloadsInspected: number;
  /** Distinct namespaces of the objects read. */
  readonly namespacesSeen: number;
  /** Manifest scans: files read (standard input counts as one). */
  readonly filesRead?: number;
}

/** Why a report carries no score: a partial scan, or one that found no workload to score. */
export type ScoreWithheld = 'partial' | 'empty';

export interface InspectionReport {
  readonly apiVersion: typeof REPORT_API_VERSION;
  readonly kind: typeof REPORT_KIND;
  readonly metadata: {
    readonly generatedAt: string;
    readonly source: ReportSource;
    readonly pssVersion: string;
    readonly lang: Language;
    readonly tool: { readonly name: 'kube-patrol'; readonly version: string };
    /** Cluster scans: the kubeconfig context or `in-cluster`. */
    readonly cluster?: string;
    readonly durationMs?: number;
  };
  readonly summary: {
    /** 0..100; null when withheld (`scoreWithheld` says why): never 100 for what could not be seen. */
    readonly score: number | null;
    readonly scoreWithheld?: ScoreWithheld;
    readonly workloads: number;
    /**
     * Points lost by every workload together, without the floor at 0 of each workload's score: it moves
     * with every fix, even on a workload already at 0. Absent when nothing was inspected (and in older reports).
     */
    readonly penalty?: number;
    readonly findings: number;
    readonly exempted: number;
    /** Objects other than workloads inspected; present when there is one. */
    readonly objects?: number;
    readonly bySeverity: SeverityCounts;
    /** Objects read that carry no pod template, by kind. */
    readonly skipped: Readonly<Record<string, number>>;
  };
  readonly rules: readonly ReportRule[];
  readonly workloads: readonly ReportWorkload[];
  /** Present when rules inspected objects other than workloads. */
  readonly objects?: readonly ReportObject[];
  readonly findings: readonly ReportFinding[];
  readonly errors: readonly ReportError[];
  /** Cluster scans: what the scan could list. */
  readonly coverage?: ReportCoverage;
  readonly diff?: ReportDiff;
  /**
   * Which Pod Security level each namespace can enforce today (rule namespace-pss-unenforced; absent when
   * it is off): docs/admission.md.
   */
  readonly podSecurity?: ReportPodSecurity;
}

/** Per namespace with workloads: the strictest PSS level all of them pass, at `version`. */
export interface ReportPodSecurity {
  /** The policy version of the verdicts, the one the commands pin (`enforce-version`). */
  readonly version: string;
  readonly namespaces: readonly NamespaceAdvice[];
}

/** Whether the scan inspected no subject at all: no workload and no other object. */
export function inspectedNothing(report: Pick<InspectionReport, 'summary'>): boolean {
  return report.summary.workloads === 0 && !report.summary.objects;
}
