import { describeWorkload, workloadRef, type Workload, type WorkloadRef } from '../workloads/model.ts';
import {
  findAnnotationExemption,
  findConfigExemption,
  readAnnotationExemptions,
  type AnnotationExemption,
  type ConfigExemption,
} from './exemptions.ts';
import type { Finding } from './finding.ts';
import { existingPrefixLength, formatPath, type FieldPath } from './path.ts';
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
  const rules = activeRules(options);
  const ruleIds = options.knownRuleIds ?? new Set(options.rules.flatMap((r) => [r.meta.id, ...(r.meta.aliases ?? [])]));
  return (workload, errors = []) => inspectWith(rules, ruleIds, workload, options, errors);
}

/** Runs every active rule on one workload. Pure: the same input gives the same findings. */
export function inspectWorkload(workload: Workload, options: EngineOptions, errors: EngineError[] = []): WorkloadResult {
  return createInspector(options)(workload, errors);
}

function inspectWith(
  rules: readonly { rule: AnyRule; severityOverride?: Severity }[],
  knownRuleIds: ReadonlySet<string>,
  workload: Workload,
  options: EngineOptions,
  errors: EngineError[],
): WorkloadResult {
  const containers = listContainers(workload.podSpec, workload.podSpecPath);
  const annotationExemptions: AnnotationExemption[] = readAnnotationExemptions([
    { meta: workload.metadata, path: ['metadata'] },
    ...(workload.podMetadataPath.length > 1 ? [{ meta: workload.podMetadata, path: workload.podMetadataPath }] : []),
  ]);
  const ref = workloadRef(workload);
  const findings: Finding[] = [];
  for (const { rule, severityOverride } of rules) {
    const { meta } = rule;
    const ruleIds = [meta.id, ...(meta.aliases ?? [])];
    const report = (draft: FindingDraft<string>): void => {
      findings.push(
        buildFinding(workload, ref, draft, {
          ruleIds,
          severity: severityOverride ?? draft.severity ?? meta.severity,
          annotationExemptions,
          options,
          base: { ruleId: meta.id, category: meta.category, pss: draft.pss ?? meta.pss },
        }),
      );
    };
    const context: CheckContext = {
      workload,
      podSpec: workload.podSpec,
      podMetadata: workload.podMetadata,
      podSpecPath: workload.podSpecPath,
      podMetadataPath: workload.podMetadataPath,
      containers,
      version: options.version,
      ruleIds: knownRuleIds,
      report,
    };
    try {
      rule.check(context);
    } catch (error) {
      // A rule bug must not hide every other result: record it and go on.
      errors.push({ source: describeWorkload(workload), message: `rule ${meta.id} failed: ${error instanceof Error ? error.message : String(error)}` });
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

interface FindingContext {
  readonly ruleIds: readonly string[];
  readonly severity: Severity;
  readonly annotationExemptions: readonly AnnotationExemption[];
  readonly options: EngineOptions;
  readonly base: Pick<Finding, 'ruleId' | 'category' | 'pss'>;
}

function sourceOf(workload: Workload, path: FieldPath): { file: string; line?: number } {
  const line = workload.origin.lineOf?.(path);
  return line === undefined ? { file: workload.origin.file } : { file: workload.origin.file, line };
}

function buildFinding(workload: Workload, ref: WorkloadRef, draft: FindingDraft<string>, ctx: FindingContext): Finding {
  const existing = existingPrefixLength(workload.object, draft.path);
  const path = draft.path.slice(0, existing);
  const missing = draft.path.slice(existing);
  const container = draft.container?.name ?? null;
  const query = { ruleIds: ctx.ruleIds, workload: ref, container };
  const byAnnotation = findAnnotationExemption(ctx.annotationExemptions, query);
  const byConfig = byAnnotation ? {} : findConfigExemption(ctx.options.exemptions ?? [], query, ctx.options.now);
  const exempted = byAnnotation ?? byConfig.active;
  return {
    ...ctx.base,
    severity: ctx.severity,
    workload: ref,
    container,
    path: formatPath(path),
    ...(missing.length > 0 ? { missing: formatPath(missing) } : {}),
    messageId: draft.messageId,
    data: draft.data ?? {},
    ...(workload.origin.file === 'cluster' ? {} : { source: sourceOf(workload, path) }),
    ...(exempted ? { exempted } : {}),
    ...(byConfig.expired ? { exemptionExpired: byConfig.expired } : {}),
  };
}
