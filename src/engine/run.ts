import { describeWorkload, workloadRef, type Workload, type WorkloadRef } from '../workloads/model.ts';
import type { ObjectMeta } from '../workloads/schema.ts';
import {
  findAnnotationExemption,
  findConfigExemption,
  readAnnotationExemptions,
  type AnnotationExemption,
  type ConfigExemption,
} from './exemptions.ts';
import type { Finding } from './finding.ts';
import { operationsToPatch, templatePathInObject, type FindingFix, type FixDraft } from './fix.ts';
import { existingPrefixLength, formatPath, type FieldPath } from '../shared/field-path.ts';
import type { PssVersion } from './pss-version.ts';
import { findPresetExemption, type ExemptionPreset } from './presets.ts';
import {
  isPodSpecRule,
  type AnyRule,
  type CheckContext,
  type ContainerNode,
  type FindingDraft,
  type RuleOptionValues,
  type ObjectCheckContext,
  type ObjectRule,
  type Rule,
} from './rule.ts';
import { workloadScore } from './score.ts';
import type { Severity } from './severity.ts';
import {
  NO_FACTS,
  type Facts,
  type ObjectSubject,
  type ObjectSubjectKind,
  type SubjectKind,
} from './subject.ts';
import { listContainers } from './traverse.ts';

export interface RulePolicy {
  readonly enabled: boolean;
  readonly severity?: Severity;
  /** Values for the rule's declared options (validated against them when the config is read). */
  readonly options?: RuleOptionValues;
}

export interface EngineOptions {
  readonly rules: readonly AnyRule[];
  readonly version: PssVersion;
  /** Per rule id: disable or override the default severity. */
  readonly rulePolicy?: Readonly<Record<string, RulePolicy>>;
  readonly exemptions?: readonly ConfigExemption[];
  /** Shipped exemptions for well-known agents (src/presets), after annotation and config exemptions. */
  readonly presets?: readonly ExemptionPreset[];
  /** Ids and aliases of every known rule; defaults to those of `rules`. */
  readonly knownRuleIds?: ReadonlySet<string>;
  /** Clock reading for exemption expiry; the engine never reads the clock itself. */
  readonly now: Date;
}

/** The findings of one subject (a workload, or an object such as a RoleBinding) and its score. */
export interface SubjectResult {
  readonly subject: SubjectKind;
  /** The workload, or the object (kind, namespace, name). */
  readonly workload: WorkloadRef;
  readonly source?: { readonly file: string; readonly line?: number };
  readonly findings: Finding[];
  readonly score: number;
}

/** The result of a workload (subject kind `pod-spec`). */
export type WorkloadResult = SubjectResult;

export interface EngineError {
  readonly source: string;
  readonly message: string;
}

/** Rules that run, with their effective severity, for one set of options. */
export function activeRules(options: EngineOptions): { rule: AnyRule; severityOverride?: Severity }[] {
  return options.rules
    .filter((rule) => {
      const enabled = options.rulePolicy?.[rule.meta.id]?.enabled;
      return rule.meta.optIn ? enabled === true : enabled !== false;
    })
    .filter((rule) => rule.meta.sinceMinor === undefined || options.version.minor >= rule.meta.sinceMinor)
    .map((rule) => {
      const severity = options.rulePolicy?.[rule.meta.id]?.severity;
      return severity ? { rule, severityOverride: severity } : { rule };
    });
}

/** The object kinds the active rules read as facts (their meta `facts`). */
export function factKinds(rules: readonly AnyRule[]): Set<string> {
  return new Set(rules.flatMap((rule) => rule.meta.facts ?? []));
}

/** A rule's option values: its declared defaults, overridden by the config's. */
export function ruleOptions(rule: AnyRule, policy: RulePolicy | undefined): RuleOptionValues {
  const declared = rule.meta.options;
  if (!declared) return NO_OPTIONS;
  const values: Record<string, boolean> = {};
  for (const [name, option] of Object.entries(declared))
    values[name] = policy?.options?.[name] ?? option.default;
  return Object.freeze(values);
}

const NO_OPTIONS: RuleOptionValues = Object.freeze({});

export type Inspector = (workload: Workload, errors?: EngineError[]) => WorkloadResult;
export type ObjectInspector = (subject: ObjectSubject, errors?: EngineError[]) => SubjectResult;

/** What every finding of one rule shares, computed once per inspector rather than per subject. */
interface PreparedRule<R extends AnyRule = AnyRule> {
  readonly rule: R;
  readonly severityOverride: Severity | undefined;
  readonly ruleIds: readonly string[];
  readonly options: RuleOptionValues;
}

function prepare(options: EngineOptions): { rules: PreparedRule[]; knownRuleIds: ReadonlySet<string> } {
  const rules = activeRules(options).map(({ rule, severityOverride }) => ({
    rule,
    severityOverride,
    ruleIds: [rule.meta.id, ...(rule.meta.aliases ?? [])],
    options: ruleOptions(rule, options.rulePolicy?.[rule.meta.id]),
  }));
  const knownRuleIds =
    options.knownRuleIds ?? new Set(options.rules.flatMap((r) => [r.meta.id, ...(r.meta.aliases ?? [])]));
  return { rules, knownRuleIds };
}

/**
 * Resolves the options once (active rules, severities, known ids) and returns a per-workload inspector
 * running the `pod-spec` rules. Pure: the same workload and facts give the same findings.
 */
export function createInspector(options: EngineOptions, facts: Facts = NO_FACTS): Inspector {
  const { rules, knownRuleIds } = prepare(options);
  const podSpecRules = rules.filter((p): p is PreparedRule<Rule<string>> => isPodSpecRule(p.rule));
  const workloadChecks = rules.filter(
    (p): p is PreparedRule<ObjectRule> => !isPodSpecRule(p.rule) && p.rule.checkWorkload !== undefined,
  );
  return (workload, errors = []) => {
    const containers = listContainers(workload.podSpec, workload.podSpecPath);
    const metadataSources = [
      { meta: workload.metadata, path: ['metadata'] },
      ...(workload.podMetadataPath.length > 1
        ? [{ meta: workload.podMetadata, path: workload.podMetadataPath }]
        : []),
    ];
    const findings = new FindingCollector(workload, metadataSources, options, { workload, containers });
    const context: Mutable<CheckContext> = {
      workload,
      podSpec: workload.podSpec,
      podMetadata: workload.podMetadata,
      podSpecPath: workload.podSpecPath,
      podMetadataPath: workload.podMetadataPath,
      containers,
      version: options.version,
      ruleIds: knownRuleIds,
      facts,
      annotationExemptions: findings.annotationExemptions,
      options: NO_OPTIONS,
      report: (draft) => findings.add(draft),
    };
    runRules(podSpecRules, findings, errors, workload, (rule, ruleOptions) => {
      context.options = ruleOptions;
      rule.check(context);
    });
    runRules(workloadChecks, findings, errors, workload, (rule, ruleOptions) => {
      context.options = ruleOptions;
      rule.checkWorkload!(context);
    });
    return findings.result('pod-spec');
  };
}

/** The inspector of object subjects (RBAC objects, SeccompProfiles, nodes, namespaces). */
export function createObjectInspector(options: EngineOptions, facts: Facts = NO_FACTS): ObjectInspector {
  const { rules, knownRuleIds } = prepare(options);
  const bySubject = new Map<ObjectSubjectKind, PreparedRule<ObjectRule>[]>();
  for (const prepared of rules) {
    if (isPodSpecRule(prepared.rule)) continue;
    const kind = prepared.rule.meta.subject;
    let list = bySubject.get(kind);
    if (!list) bySubject.set(kind, (list = []));
    list.push(prepared as PreparedRule<ObjectRule>);
  }
  return (subject, errors = []) => {
    const findings = new FindingCollector(subject, [{ meta: subject.metadata, path: ['metadata'] }], options);
    const context: Mutable<ObjectCheckContext> = {
      subject,
      version: options.version,
      ruleIds: knownRuleIds,
      facts,
      annotationExemptions: findings.annotationExemptions,
      options: NO_OPTIONS,
      report: (draft) => findings.add(draft),
    };
    runRules(bySubject.get(subject.subject) ?? [], findings, errors, subject, (rule, ruleOptions) => {
      context.options = ruleOptions;
      rule.check(context);
    });
    return findings.result(subject.subject);
  };
}

/** Whether any active rule inspects this subject kind (so a scan reads the objects it needs). */
export function activeSubjectKinds(options: EngineOptions): Set<SubjectKind> {
  return new Set(activeRules(options).map(({ rule }) => rule.meta.subject));
}

function runRules<R extends AnyRule>(
  rules: readonly PreparedRule<R>[],
  findings: FindingCollector,
  errors: EngineError[],
  subject: WorkloadRef,
  check: (rule: R, options: RuleOptionValues) => void,
): void {
  for (const prepared of rules) {
    findings.current = prepared;
    try {
      check(prepared.rule, prepared.options);
    } catch (error) {
      // A rule bug must not hide every other result: record it and go on.
      errors.push({
        source: describeWorkload(subject),
        message: `rule ${prepared.rule.meta.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The `data` of every finding without values: one shared (frozen) object rather than one per finding. */
const NO_DATA: Readonly<Record<string, string | number>> = Object.freeze({});

/** The subject fields a finding is built from: a workload or an object. */
interface FindingSubject extends WorkloadRef {
  readonly object: unknown;
  readonly origin: Workload['origin'];
}

/** Turns one subject's drafts into findings: path checked against the object, exemptions, source line. */
class FindingCollector {
  readonly findings: Finding[] = [];
  current: PreparedRule | undefined;
  private readonly ref: WorkloadRef;
  readonly annotationExemptions: readonly AnnotationExemption[];
  private readonly subject: FindingSubject;
  private readonly options: EngineOptions;
  /** Workloads only: what exemption presets match on. */
  private readonly pod: { workload: Workload; containers: readonly ContainerNode[] } | undefined;

  constructor(
    subject: FindingSubject,
    metadata: readonly { meta: ObjectMeta; path: FieldPath }[],
    options: EngineOptions,
    pod?: { workload: Workload; containers: readonly ContainerNode[] },
  ) {
    this.subject = subject;
    this.options = options;
    this.pod = pod;
    this.ref = workloadRef(subject);
    this.annotationExemptions = readAnnotationExemptions(metadata);
  }

  add(draft: FindingDraft<string>): void {
    const prepared = this.current as PreparedRule;
    const { subject, ref, options } = this;
    const { meta } = prepared.rule;
    const existing = existingPrefixLength(subject.object, draft.path);
    const path = existing === draft.path.length ? draft.path : draft.path.slice(0, existing);
    const container = draft.container?.name ?? null;
    const query = { ruleIds: prepared.ruleIds, workload: ref, container };
    const byAnnotation = findAnnotationExemption(this.annotationExemptions, query);
    const byConfig = byAnnotation ? {} : findConfigExemption(options.exemptions ?? [], query, options.now);
    const byPreset =
      byAnnotation || byConfig.active || !options.presets || !this.pod
        ? undefined
        : findPresetExemption(options.presets, {
            ruleId: meta.id,
            workload: this.pod.workload,
            containers: this.pod.containers,
            ...(draft.container ? { container: draft.container } : {}),
            path: draft.path,
          });
    const exempted =
      byAnnotation ??
      byConfig.active ??
      (byPreset ? { by: 'preset' as const, preset: byPreset.id, reason: byPreset.reason } : undefined) ??
      (draft.presetExemption ? { by: 'preset' as const, ...draft.presetExemption } : undefined);
    // Literal objects in the order reports serialise (ruleId … data, source, exempted): no spread copies.
    const ruleId = meta.id;
    const category = meta.category;
    const pss = draft.pss ?? meta.pss;
    const severity = prepared.severityOverride ?? draft.severity ?? meta.severity;
    const messageId = draft.messageId;
    const data = draft.data ?? NO_DATA;
    const finding: Mutable<Finding> =
      existing < draft.path.length
        ? {
            ruleId,
            category,
            pss,
            severity,
            workload: ref,
            container,
            path: formatPath(path),
            missing: formatPath(draft.path.slice(existing)),
            messageId,
            data,
          }
        : {
            ruleId,
            category,
            pss,
            severity,
            workload: ref,
            container,
            path: formatPath(path),
            messageId,
            data,
          };
    if (draft.evidence && draft.evidence.length > 0) finding.evidence = draft.evidence;
    if (draft.fix && this.pod) {
      const fix = findingFix(this.pod.workload, draft.fix);
      if (fix) finding.fix = fix;
    }
    if (subject.origin.file !== 'cluster') finding.source = sourceOf(subject, path);
    if (exempted) finding.exempted = exempted;
    if (byConfig.expired) finding.exemptionExpired = byConfig.expired;
    this.findings.push(finding);
  }

  result(kind: SubjectKind): SubjectResult {
    const source = this.subject.origin.file === 'cluster' ? undefined : sourceOf(this.subject, []);
    return {
      subject: kind,
      workload: this.ref,
      ...(source ? { source } : {}),
      findings: this.findings,
      score: workloadScore(this.findings),
    };
  }
}

/** A draft's fix as a patch of the workload's object; null when it touches ephemeral containers. */
function findingFix(workload: Workload, draft: FixDraft): FindingFix | null {
  const operations = [];
  for (const operation of draft.operations) {
    if (operation.path[0] === 'spec' && operation.path[1] === 'ephemeralContainers') return null;
    const path = templatePathInObject(operation.path, workload);
    if (!path) throw new Error(`fix path ${formatPath(operation.path)} is not under the pod template`);
    operations.push({ ...operation, path });
  }
  if (operations.length === 0) return null;
  return { safety: draft.safety, patch: operationsToPatch(workload.object, operations) };
}

function sourceOf(subject: FindingSubject, path: FieldPath): { file: string; line?: number } {
  const line = subject.origin.lineOf?.(path);
  return line === undefined ? { file: subject.origin.file } : { file: subject.origin.file, line };
}

/** Runs every active rule on one workload (tests and single-object tools). */
export function inspectWorkload(
  workload: Workload,
  options: EngineOptions,
  errors: EngineError[] = [],
  facts: Facts = NO_FACTS,
): WorkloadResult {
  return createInspector(options, facts)(workload, errors);
}
