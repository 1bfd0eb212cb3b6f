/**
 * A table-driven tester for one rule, in the spirit of ESLint's RuleTester: each case is a pod spec
 * (or a whole object) and the findings it must produce, asserted by message id, path, container and
 * severity, never by English prose. Used by src/rules/<id>/rule.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { extractWorkloads } from '../workloads/extract.ts';
import { parsePssVersion } from './pss-version.ts';
import type { AnyRule, Rule } from './rule.ts';
import { inspectWorkload } from './run.ts';
import { ALL_RULES } from '../rules/index.ts';
import type { Severity } from './severity.ts';

export type NestingKind = 'Pod' | 'Deployment' | 'CronJob';

export interface ExpectedFinding {
  readonly messageId: string;
  /** Path as written in reports, relative to a Pod (`spec.containers[0]...`); re-rooted for other kinds. */
  readonly path: string;
  readonly container?: string | null;
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly missing?: string;
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
}

export type ValidCase = CaseBase;
export interface InvalidCase extends CaseBase {
  readonly findings: readonly ExpectedFinding[];
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

/** Runs one rule over one object and returns its findings (exemptions and policy left at defaults). */
export function runRule(rule: AnyRule, object: unknown, version = 'latest') {
  const extraction = extractWorkloads(object, { file: 'test.yaml', documentPath: [] });
  if (extraction.errors.length > 0)
    throw new Error(`test object is invalid: ${extraction.errors.map((e) => e.message).join('; ')}`);
  const workload = extraction.workloads[0];
  if (!workload) throw new Error('test object carries no pod spec');
  const errors: { source: string; message: string }[] = [];
  const result = inspectWorkload(
    workload,
    { rules: [rule], version: parsePssVersion(version), now: new Date(0), knownRuleIds: knownRuleIds() },
    errors,
  );
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '));
  return result.findings;
}

let knownIds: ReadonlySet<string> | undefined;
function knownRuleIds(): ReadonlySet<string> {
  knownIds ??= new Set(
    (ALL_RULES as readonly AnyRule[]).flatMap((r) => [r.meta.id, ...(r.meta.aliases ?? [])]),
  );
  return knownIds;
}

function objectsFor(testCase: CaseBase): { kind: NestingKind | 'object'; object: Record<string, unknown> }[] {
  if (testCase.object) return [{ kind: 'object', object: testCase.object }];
  if (!testCase.podSpec) throw new Error(`case "${testCase.name}" has neither podSpec nor object`);
  const spec = testCase.podSpec;
  return (testCase.kinds ?? ['Pod', 'Deployment', 'CronJob']).map((kind) => ({
    kind,
    object: nestPodSpec(kind, spec, testCase.podAnnotations),
  }));
}

export function testRule<M extends string>(
  rule: Rule<M>,
  cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase[] },
): void {
  describe(rule.meta.id, () => {
    describe('valid', () => {
      for (const testCase of cases.valid) {
        for (const { kind, object } of objectsFor(testCase)) {
          it(`${testCase.name} (${kind}${testCase.version ? `, ${testCase.version}` : ''})`, () => {
            const findings = runRule(rule as AnyRule, object, testCase.version);
            expect(
              findings.map((f) => ({ messageId: f.messageId, path: f.path, missing: f.missing })),
            ).toEqual([]);
          });
        }
      }
    });
    describe('invalid', () => {
      for (const testCase of cases.invalid) {
        if (testCase.findings.length === 0)
          throw new Error(`invalid case "${testCase.name}" expects no finding`);
        for (const { kind, object } of objectsFor(testCase)) {
          it(`${testCase.name} (${kind}${testCase.version ? `, ${testCase.version}` : ''})`, () => {
            const findings = runRule(rule as AnyRule, object, testCase.version);
            const actual = findings.map((f) => ({
              messageId: f.messageId,
              path: f.missing
                ? `${f.path}${f.path && !f.missing.startsWith('[') ? '.' : ''}${f.missing}`
                : f.path,
              container: f.container,
              severity: f.severity,
              data: f.data,
            }));
            const expected = testCase.findings.map((e, i) => ({
              messageId: e.messageId,
              path: kind === 'object' ? e.path : reroot(e.path, kind),
              container: e.container === undefined ? actual[i]?.container : e.container,
              severity: e.severity ?? rule.meta.severity,
              data: e.data ? expect.objectContaining(e.data) : actual[i]?.data,
            }));
            expect(actual).toEqual(expected);
          });
        }
      }
    });
  });
}
