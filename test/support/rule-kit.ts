/**
 * The rule kit: a table-driven tester for one rule, in the spirit of ESLint's RuleTester. Each case is a
 * pod spec (or a whole object) and the findings it must produce, asserted by message id, path, container,
 * severity and data, never by English prose. Used by src/rules/<id>/rule.test.ts; not shipped (it lives
 * under test/, outside tsconfig.build.json).
 *
 * What it checks besides the cases themselves:
 * - message ids are typed per rule: a typo in `messageId` does not compile;
 * - every message id of the rule is expected by at least one invalid case;
 * - case names are unique;
 * - the rule does not mutate its input: every object is deep-frozen before the rule runs;
 * - a pod spec case runs nested in a Pod, a Deployment and a CronJob (paths re-rooted), and a case whose
 *   findings are about app containers runs again with those containers as init and as ephemeral containers
 *   (paths re-rooted, findings dropped for the roles the rule does not inspect: `containerRoles`);
 * - machine fixes (engine/fix.ts): in every invalid variant, applying the fixes of all findings that carry
 *   one (both classes) removes exactly those findings (the others stay); a finding's `fix` class is
 *   asserted when the case states it (`fix: 'safe' | 'review' | null`); a rule that declares `meta.fix`
 *   has a case expecting a fix of that class, and a rule whose findings carry fixes declares `meta.fix`.
 */
import { describe, expect, it } from 'vitest';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import {
  isPodSpecRule,
  type AnyRule,
  type ContainerRole,
  type ObjectRule,
  type Rule,
  type RuleOptionValues,
} from '../../src/engine/rule.ts';
import { createInspector, createObjectInspector, inspectWorkload } from '../../src/engine/run.ts';
import type { Finding } from '../../src/engine/finding.ts';
import type { Severity } from '../../src/engine/severity.ts';
import { createFacts, subjectKindOfObject, type ObjectSubjectKind } from '../../src/engine/subject.ts';
import { emptyExtraction, extractWorkloads } from '../../src/workloads/extract.ts';
import { applyPatch, workloadPatch, type FixSafety } from '../../src/engine/fix.ts';
import { REGISTRY } from './registry.ts';

export type NestingKind = 'Pod' | 'Deployment' | 'CronJob';

export interface ExpectedFinding<M extends string = string> {
  readonly messageId: M;
  /** Path as written in reports, relative to a Pod (`spec.containers[0]...`); re-rooted for other kinds. */
  readonly path: string;
  readonly container?: string | null;
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly missing?: string;
  /** The class of the finding's machine fix, or null: it has none. Not checked when absent. */
  readonly fix?: FixSafety | null;
}

interface CaseBase {
  readonly name: string;
  /** A pod spec (wrapped into each kind of `kinds`) or, with `object`, a whole Kubernetes object. */
  readonly podSpec?: Record<string, unknown>;
  readonly podAnnotations?: Record<string, string>;
  readonly object?: Record<string, unknown>;
  /** PSS version, default latest. */
  readonly version?: string;
  /** Kinds to nest `podSpec` in; default Pod, Deployment and CronJob. */
  readonly kinds?: readonly NestingKind[];
  /** Values for the rule's options, as `rules.<id>.options` in the config gives them. */
  readonly options?: RuleOptionValues;
  /**
   * Other objects of the scan, handed to the rule as facts (e.g. ServiceAccounts; nested test objects
   * live in namespace `test`). Their kinds count as known.
   */
  readonly facts?: readonly Record<string, unknown>[];
}

export type ValidCase = CaseBase;
export interface InvalidCase<M extends string = string> extends CaseBase {
  readonly findings: readonly ExpectedFinding<M>[];
}

export interface RuleKitOptions {
  /**
   * The container roles whose containers the rule inspects (default all three). A case about app
   * containers is also run with them as init and as ephemeral containers; for a role not listed here, the
   * rule must then report nothing about them.
   */
  readonly containerRoles?: readonly ContainerRole[];
}

const PREFIX: Record<NestingKind, string> = {
  Pod: 'spec',
  Deployment: 'spec.template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};
const META_PREFIX: Record<NestingKind, string> = {
  Pod: 'metadata',
  Deployment: 'spec.template.metadata',
  CronJob: 'spec.jobTemplate.spec.template.metadata',
};

/** Wraps a pod spec (and pod annotations) into an object of the given kind. */
export function nestPodSpec(
  kind: NestingKind,
  podSpec: Record<string, unknown>,
  annotations?: Record<string, string>,
): Record<string, unknown> {
  const podMeta = annotations ? { annotations } : {};
  const template = { metadata: { labels: { app: 'demo' }, ...podMeta }, spec: podSpec };
  switch (kind) {
    case 'Pod':
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'demo', namespace: 'test', ...podMeta },
        spec: podSpec,
      };
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'demo', namespace: 'test' },
        spec: { selector: { matchLabels: { app: 'demo' } }, template },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'demo', namespace: 'test' },
        spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } },
      };
  }
}

function reroot(path: string, kind: NestingKind): string {
  if (path.startsWith('spec.') || path === 'spec') return PREFIX[kind] + path.slice('spec'.length);
  if (path.startsWith('metadata.') || path.startsWith('metadata['))
    return META_PREFIX[kind] + path.slice('metadata'.length);
  return path;
}

/** A finding's path as a case writes it: the existing part and the missing part joined. */
export function findingPath(f: { readonly path: string; readonly missing?: string }): string {
  return f.missing ? `${f.path}${f.path && !f.missing.startsWith('[') ? '.' : ''}${f.missing}` : f.path;
}

/**
 * Asserts findings against a case's expectations by message id, path, severity (default: the rule's) and
 * data (a subset); `key` adds fields that say which subject a finding is on, on both sides.
 */
export function expectFindings<E extends Omit<ExpectedFinding, 'container'>>(
  findings: readonly Finding[],
  expected: readonly E[],
  severity: Severity,
  key: { actual: (f: Finding) => Record<string, unknown>; expected: (e: E) => Record<string, unknown> } = {
    actual: () => ({}),
    expected: () => ({}),
  },
): void {
  const actual = findings.map((f) => ({
    ...key.actual(f),
    messageId: f.messageId,
    path: findingPath(f),
    severity: f.severity,
    data: f.data,
  }));
  expect(actual).toEqual(
    expected.map((e, i) => ({
      ...key.expected(e),
      messageId: e.messageId,
      path: e.path,
      severity: e.severity ?? severity,
      data: e.data ? expect.objectContaining(e.data) : actual[i]?.data,
    })),
  );
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Runs one rule over one object (deep-frozen first, so a rule that writes to its input fails) and returns
 * its findings, with exemptions and policy at their defaults.
 */
export function runRule<M extends string>(
  rule: Rule<M>,
  object: unknown,
  version = 'latest',
  /** Other objects of the scan, for a rule that reads facts; their kinds count as known. */
  others: readonly Record<string, unknown>[] = [],
  /** Values for the rule's options, as `rules.<id>.options` in the config gives them. */
  ruleOptions?: RuleOptionValues,
) {
  const extraction = extractWorkloads(deepFreeze(structuredClone(object)), {
    file: 'test.yaml',
    documentPath: [],
  });
  if (extraction.errors.length > 0)
    throw new Error(`test object is invalid: ${extraction.errors.map((e) => e.message).join('; ')}`);
  // The parsed pod spec and metadata are new objects: frozen too, so that no input of the rule is writable.
  const workload = deepFreeze(extraction.workloads[0]);
  if (!workload) throw new Error('test object carries no pod spec');
  const errors: { source: string; message: string }[] = [];
  const options = {
    rules: [rule as Rule<string>],
    version: parsePssVersion(version),
    now: new Date(0),
    knownRuleIds: REGISTRY.knownIds,
    // The rule under test runs, opt-in or not, with the case's options.
    rulePolicy: { [rule.meta.id]: { enabled: true, ...(ruleOptions ? { options: ruleOptions } : {}) } },
  };
  let result;
  if (others.length > 0) {
    const kinds = new Set(others.map((o) => String(o['kind'])));
    const collected = emptyExtraction(kinds);
    for (const other of others)
      extractWorkloads(
        deepFreeze(structuredClone(other)),
        { file: 'facts.yaml', documentPath: [] },
        collected,
      );
    result = createInspector(options, createFacts(collected.objects, kinds))(workload, errors);
  } else {
    result = inspectWorkload(workload, options, errors);
  }
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '));
  return result.findings;
}

interface Variant {
  readonly label: string;
  readonly object: Record<string, unknown>;
  readonly nesting: NestingKind | 'object';
  /** From `spec.containers[` to the role the containers were moved to, for expected paths. */
  readonly role?: ContainerRole;
}

const ALL_ROLES: readonly ContainerRole[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** Whether a case is about app containers only, so that moving them to another role means something. */
function movableContainers(testCase: CaseBase, findings: readonly ExpectedFinding[]): boolean {
  const spec = testCase.podSpec;
  if (!spec || testCase.object) return false;
  if (spec['initContainers'] !== undefined || spec['ephemeralContainers'] !== undefined) return false;
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) return false;
  // Only findings about containers (pod-level findings may depend on which containers exist).
  return findings.length > 0 && findings.every((f) => f.path.startsWith('spec.containers['));
}

function variantsOf(testCase: CaseBase, findings: readonly ExpectedFinding[]): Variant[] {
  const version = testCase.version ? `, ${testCase.version}` : '';
  if (testCase.object) return [{ label: `object${version}`, object: testCase.object, nesting: 'object' }];
  if (!testCase.podSpec) throw new Error(`case "${testCase.name}" has neither podSpec nor object`);
  const spec = testCase.podSpec;
  const variants: Variant[] = (testCase.kinds ?? ['Pod', 'Deployment', 'CronJob']).map((kind) => ({
    label: `${kind}${version}`,
    object: nestPodSpec(kind, spec, testCase.podAnnotations),
    nesting: kind,
  }));
  if (movableContainers(testCase, findings)) {
    for (const role of ['initContainers', 'ephemeralContainers'] as const) {
      // The same containers in another role, and no app container.
      const { containers, ...rest } = spec;
      const moved = { ...rest, containers: [], [role]: containers };
      const kind = testCase.kinds?.[0] ?? 'Pod';
      variants.push({
        label: `as ${role} in a ${kind}${version}`,
        object: nestPodSpec(kind, moved, testCase.podAnnotations),
        nesting: kind,
        role,
      });
    }
  }
  return variants;
}

/** Checks of the case table itself: unique names, every message id expected somewhere. */
export function checkCaseTable<M extends string>(
  rule: Rule<M>,
  cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase<M>[] },
): void {
  const seen = new Set<string>();
  for (const testCase of [...cases.valid, ...cases.invalid] as { name: string }[]) {
    if (seen.has(testCase.name)) throw new Error(`${rule.meta.id}: two cases are named "${testCase.name}"`);
    seen.add(testCase.name);
  }
  for (const testCase of cases.invalid)
    if (testCase.findings.length === 0)
      throw new Error(`${rule.meta.id}: invalid case "${testCase.name}" expects no finding`);
  const fixClass = rule.meta.fix?.safety;
  if (
    fixClass !== undefined &&
    !cases.invalid.some((c) => c.findings.some((f) => (f as ExpectedFinding).fix === fixClass))
  )
    throw new Error(`${rule.meta.id}: declares a ${fixClass} fix, but no invalid case expects one`);
  const expected = new Set(cases.invalid.flatMap((c) => c.findings.map((f) => f.messageId)));
  const unexercised = Object.keys(rule.meta.messages).filter((id) => !expected.has(id as M));
  if (unexercised.length > 0)
    throw new Error(`${rule.meta.id}: no invalid case expects message id(s) ${unexercised.join(', ')}`);
}

export function testRule<M extends string>(
  rule: Rule<M>,
  cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase<NoInfer<M>>[] },
  options: RuleKitOptions = {},
): void {
  const roles = options.containerRoles ?? ALL_ROLES;
  describe(rule.meta.id, () => {
    it('has a well-formed case table', () => {
      checkCaseTable(rule, cases);
    });
    describe('valid', () => {
      for (const testCase of cases.valid) {
        for (const { label, object } of variantsOf(testCase, [])) {
          it(`${testCase.name} (${label})`, () => {
            const findings = runRule(rule, object, testCase.version, testCase.facts, testCase.options);
            expect(
              findings.map((f) => ({ messageId: f.messageId, path: f.path, missing: f.missing })),
            ).toEqual([]);
          });
        }
      }
    });
    describe('invalid', () => {
      for (const testCase of cases.invalid) {
        for (const { label, object, nesting, role } of variantsOf(testCase, testCase.findings)) {
          it(`${testCase.name} (${label})`, () => {
            const findings = runRule(rule, object, testCase.version, testCase.facts, testCase.options);
            const actual = findings.map((f) => ({
              messageId: f.messageId,
              path: findingPath(f),
              container: f.container,
              severity: f.severity,
              data: f.data,
            }));
            // Moved to a role the rule does not inspect: nothing is expected.
            const wanted = role && !roles.includes(role) ? [] : testCase.findings;
            const expected = wanted.map((e, i) => {
              const path = role ? e.path.replace(/^spec\.containers\[/, `spec.${role}[`) : e.path;
              return {
                messageId: e.messageId,
                path: nesting === 'object' ? path : reroot(path, nesting),
                container: e.container === undefined ? actual[i]?.container : e.container,
                severity: e.severity ?? rule.meta.severity,
                data: e.data ? expect.objectContaining(e.data) : actual[i]?.data,
              };
            });
            expect(actual).toEqual(expected);
            expect(
              findings.map((f) => f.fix?.safety ?? null),
              'fix classes',
            ).toEqual(
              findings.map((f, i) =>
                // Moved to ephemeral containers, whose fixes the engine drops: not what the case states.
                role === 'ephemeralContainers'
                  ? (f.fix?.safety ?? null)
                  : (wanted[i]?.fix ?? f.fix?.safety ?? null),
              ),
            );
            expectFixesRemoveFindings(rule, object, findings, testCase);
          });
        }
      }
    });
  });
}

/**
 * Applies every fix the findings carry (both classes) to the object and runs the rule again: the fixed
 * findings are gone, the others are still there.
 */
function expectFixesRemoveFindings<M extends string>(
  rule: Rule<M>,
  object: Record<string, unknown>,
  findings: readonly Finding[],
  testCase: CaseBase,
): void {
  if (findings.some((f) => f.fix) && !rule.meta.fix)
    throw new Error(`${rule.meta.id}: findings carry fixes, but the rule declares no meta.fix`);
  const patch = workloadPatch(findings, { includeReview: true });
  if (!patch) return;
  const fixed = applyPatch(object, patch);
  const after = runRule(rule, fixed, testCase.version, testCase.facts, testCase.options);
  const key = (f: Finding) => `${f.messageId} ${findingPath(f)}`;
  expect(after.map(key), 'findings left after the fixes').toEqual(findings.filter((f) => !f.fix).map(key));
}

/** A case of a rule on objects: the object inspected and the other objects the scan holds (facts). */
export interface ObjectCase {
  readonly name: string;
  readonly object: Record<string, unknown>;
  /** Other objects of the scan (facts; also the subject itself is one). */
  readonly others?: readonly Record<string, unknown>[];
  /** Kinds the scan could read completely; default: the kinds of `object` and `others`. */
  readonly known?: readonly string[];
  readonly version?: string;
}
export interface InvalidObjectCase<M extends string = string> extends ObjectCase {
  readonly findings: readonly Omit<ExpectedFinding<M>, 'container'>[];
}

/** Runs one rule on objects over one object (deep-frozen), with the other objects as facts. */
export function runObjectRule<M extends string, K extends ObjectSubjectKind>(
  rule: ObjectRule<M, K>,
  testCase: ObjectCase,
) {
  const all = [testCase.object, ...(testCase.others ?? [])].map((o) => deepFreeze(structuredClone(o)));
  // A `kind: List` (how a catalogue example holds the other objects of its scan) stands for its items.
  const kinds = new Set(
    all.flatMap((o) =>
      o['kind'] === 'List' && Array.isArray(o['items'])
        ? (o['items'] as Record<string, unknown>[]).map((i) => String(i['kind']))
        : [String(o['kind'])],
    ),
  );
  const extraction = emptyExtraction(kinds);
  for (const object of all) extractWorkloads(object, { file: 'test.yaml', documentPath: [] }, extraction);
  if (extraction.errors.length > 0)
    throw new Error(`test object is invalid: ${extraction.errors.map((e) => e.message).join('; ')}`);
  const [first] = extraction.objects;
  const subject = first ? subjectKindOfObject(first.kind) : undefined;
  if (!first || subject !== rule.meta.subject)
    throw new Error(`case "${testCase.name}": the object is not a ${rule.meta.subject} subject`);
  const facts = createFacts(extraction.objects, testCase.known ?? kinds);
  const errors: { source: string; message: string }[] = [];
  const inspect = createObjectInspector(
    {
      rules: [rule as unknown as AnyRule],
      version: parsePssVersion(testCase.version ?? 'latest'),
      now: new Date(0),
      knownRuleIds: REGISTRY.knownIds,
      // The rule under test runs, opt-in or not.
      rulePolicy: { [rule.meta.id]: { enabled: true } },
    },
    facts,
  );
  const result = inspect(deepFreeze({ ...first, subject }), errors);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '));
  return result.findings;
}

/** The rule kit for rules on objects: the same table checks, one run per case. */
export function testObjectRule<M extends string, K extends ObjectSubjectKind>(
  rule: ObjectRule<M, K>,
  cases: { valid: readonly ObjectCase[]; invalid: readonly InvalidObjectCase<NoInfer<M>>[] },
): void {
  describe(rule.meta.id, () => {
    it('has a well-formed case table', () => {
      checkCaseTable(rule as unknown as Rule<M>, cases as never);
    });
    for (const testCase of cases.valid)
      it(`valid: ${testCase.name}`, () => {
        expect(runObjectRule(rule, testCase).map((f) => ({ messageId: f.messageId, path: f.path }))).toEqual(
          [],
        );
      });
    for (const testCase of cases.invalid)
      it(`invalid: ${testCase.name}`, () => {
        expectFindings(runObjectRule(rule, testCase), testCase.findings, rule.meta.severity);
      });
  });
}

/** Runs any registered rule over one object (catalogue examples). */
export function runAnyRule(
  rule: AnyRule,
  object: Record<string, unknown>,
  version?: string,
  others: readonly Record<string, unknown>[] = [],
) {
  return isPodSpecRule(rule)
    ? runRule(rule, object, version, others)
    : runObjectRule(rule, { name: 'example', object, others, ...(version ? { version } : {}) });
}
