import { describeWorkload, workloadRef, type Workload, type WorkloadRef } from '../workloads/model.ts';
import {
  findAnnotationExemption,
  findConfigExemption,
  readAnnotationExemptions,
  type AnnotationExemption,
  type ConfigExemption,
} from './exemptions.ts';
import type { Finding } from './finding.ts';
import { existingPrefixLength, formatPath, type FieldPath } from '../shared/field-path.ts';
import type { PssVersion } from './pss-version.ts';
import type { AnyRule, CheckContext, FindingDraft } from './rule.ts';
import { workloadScore } from './score.ts';
import type { Severity } from './severity.ts';
import { listContainers } from './traverse.ts';

export interface RulePolicy {
  readonly enabled: boolean;
  readonly severity?: Severity;
}

export interface EngineOptions {
  readonly rules: readonly AnyRule[];
  readonly version: PssVersion;
  /** Per rule id: disable or override the default severity. */
  readonly rulePolicy?: Readonly<Record<string, RulePolicy>>;
  readonly exemptions?: readonly ConfigExemption[];
  /** Ids and aliases of every known rule; defaults to those of `rules`. */
  readonly knownRuleIds?: ReadonlySet<string>;
  /** Clock reading for exemption expiry; the engine never reads the clock itself. */
  readonly now: Date;
}

export interface WorkloadResult {
  readonly workload: WorkloadRef;
  readonly source?: { readonly file: string; readonly line?: number };
  readonly findings: Finding[];
  readonly score: number;
}

export interface EngineError {
  readonly source: string;
  readonly message: string;
}

export interface EngineResult {
  readonly workloads: WorkloadResult[];
  readonly errors: EngineError[];
}

/** Rules that run, with their effective severity, for one set of options. */
export function activeRules(options: EngineOptions): { rule: AnyRule; severityOverride?: Severity }[] {
  return options.rules
    .filter((rule) => options.rulePolicy?.[rule.meta.id]?.enabled !== false)
    .filter((rule) => rule.meta.sinceMinor === undefined || options.version.minor >= rule.meta.sinceMinor)
    .map((rule) => {
      const severity = options.rulePolicy?.[rule.meta.id]?.severity;
      return severity ? { rule, severityOverride: severity } : { rule };
    });
}

export type Inspector = (workload: Workload, errors?: EngineError[]) => WorkloadResult;

/** Resolves the options once (active rules, severities, known ids) and returns a per-workload inspector. */
export function createInspector(options: EngineOptions): Inspector {
  const rules = activeRules(options).map(prepareRule);
  const ruleIds =
    options.knownRuleIds ?? new Set(options.rules.flatMap((r) => [r.meta.id, ...(r.meta.aliases ?? [])]));
  return (workload, errors = []) => inspectWith(rules, ruleIds, workload, options, errors);
}

/** Runs every active rule on one workload. Pure: the same input gives the same findings. */
export function inspectWorkload(
  workload: Workload,
  options: EngineOptions,
  errors: EngineError[] = [],
): WorkloadResult {
  return createInspector(options)(workload, errors);
}

/** What every finding of one rule shares, computed once per inspector rather than per workload. */
interface PreparedRule {
  readonly rule: AnyRule;
  readonly severityOverride: Severity | undefined;
  readonly ruleIds: readonly string[];
}

function prepareRule({
  rule,
  severityOverride,
}: {
  rule: AnyRule;
  severityOverride?: Severity;
}): PreparedRule {
  return { rule, severityOverride, ruleIds: [rule.meta.id, ...(rule.meta.aliases ?? [])] };
}

function inspectWith(
  rules: readonly PreparedRule[],
  knownRuleIds: ReadonlySet<string>,
  workload: Workload,
  options: EngineOptions,
  errors: EngineError[],
): WorkloadResult {
  const containers = listContainers(workload.podSpec, workload.podSpecPath);
  const annotationExemptions: AnnotationExemption[] = readAnnotationExemptions([
    { meta: workload.metadata, path: ['metadata'] },
    ...(workload.podMetadataPath.length > 1
      ? [{ meta: workload.podMetadata, path: workload.podMetadataPath }]
      : []),
  ]);
  const ref = workloadRef(workload);
  const findings: Finding[] = [];
  // One context per workload; `report` files findings under the rule that is running.
  let current = rules[0] as PreparedRule;
  const context: CheckContext = {
    workload,
    podSpec: workload.podSpec,
    podMetadata: workload.podMetadata,
    podSpecPath: workload.podSpecPath,
    podMetadataPath: workload.podMetadataPath,
    containers,
    version: options.version,
    ruleIds: knownRuleIds,
    report: (draft: FindingDraft<string>): void => {
      findings.push(buildFinding(workload, ref, draft, current, annotationExemptions, options));
    },
  };
  for (const prepared of rules) {
    current = prepared;
    try {
      prepared.rule.check(context);
    } catch (error) {
      // A rule bug must not hide every other result: record it and go on.
      errors.push({
        source: describeWorkload(workload),
        message: `rule ${prepared.rule.meta.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const source = workload.origin.file === 'cluster' ? undefined : sourceOf(workload, []);
  return { workload: ref, ...(source ? { source } : {}), findings, score: workloadScore(findings) };
}

export function inspect(workloads: Iterable<Workload>, options: EngineOptions): EngineResult {
  const errors: EngineError[] = [];
  const results: WorkloadResult[] = [];
  const inspector = createInspector(options);
  for (const workload of workloads) results.push(inspector(workload, errors));
  return { workloads: results, errors };
}

function sourceOf(workload: Workload, path: FieldPath): { file: string; line?: number } {
  const line = workload.origin.lineOf?.(path);
  return line === undefined ? { file: workload.origin.file } : { file: workload.origin.file, line };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The `data` of every finding without values: one shared (frozen) object rather than one per finding. */
const NO_DATA: Readonly<Record<string, string | number>> = Object.freeze({});

function buildFinding(
  workload: Workload,
  ref: WorkloadRef,
  draft: FindingDraft<string>,
  prepared: PreparedRule,
  annotationExemptions: readonly AnnotationExemption[],
  options: EngineOptions,
): Finding {
  const { meta } = prepared.rule;
  const existing = existingPrefixLength(workload.object, draft.path);
  const path = existing === draft.path.length ? draft.path : draft.path.slice(0, existing);
  const container = draft.container?.name ?? null;
  const query = { ruleIds: prepared.ruleIds, workload: ref, container };
  const byAnnotation = findAnnotationExemption(annotationExemptions, query);
  const byConfig = byAnnotation ? {} : findConfigExemption(options.exemptions ?? [], query, options.now);
  const exempted = byAnnotation ?? byConfig.active;
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
  if (workload.origin.file !== 'cluster') finding.source = sourceOf(workload, path);
  if (exempted) finding.exempted = exempted;
  if (byConfig.expired) finding.exemptionExpired = byConfig.expired;
  return finding;
}
