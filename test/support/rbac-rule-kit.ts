/**
 * The rule kit for the rbac-* rules: a case is the objects of one scan (bindings, roles, workloads), and
 * its findings are asserted on every subject the rule reports, bindings and workloads alike (`on`), by
 * message id, path, severity and data. The table checks are the rule kit's (unique names, every message
 * id expected by some case); objects are deep-frozen, as there.
 */
import { describe, expect, it } from 'vitest';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import type { AnyRule, ObjectRule, Rule } from '../../src/engine/rule.ts';
import { createInspector, createObjectInspector } from '../../src/engine/run.ts';
import type { Severity } from '../../src/engine/severity.ts';
import { createFacts, subjectKindOfObject } from '../../src/engine/subject.ts';
import { emptyExtraction, extractWorkloads } from '../../src/workloads/extract.ts';
import { REGISTRY } from './registry.ts';
import { checkCaseTable, deepFreeze, expectFindings } from './rule-kit.ts';

export interface ScanCase {
  readonly name: string;
  readonly objects: readonly Record<string, unknown>[];
}
export interface ScanFinding<M extends string> {
  /** `Kind namespace/name` of the binding or workload the finding is on. */
  readonly on: string;
  readonly messageId: M;
  readonly path: string;
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, string | number>>;
}
export interface InvalidScanCase<M extends string> extends ScanCase {
  readonly findings: readonly ScanFinding<M>[];
}

/** Every finding of one rule over the objects of one scan: its object subjects, then its workloads. */
export function runRbacRule(rule: ObjectRule<string, 'rbac'>, objects: readonly Record<string, unknown>[]) {
  const all = objects.map((o) => deepFreeze(structuredClone(o)));
  const extraction = emptyExtraction(new Set(all.map((o) => String(o['kind']))));
  all.forEach((object, i) => extractWorkloads(object, { file: 'test.yaml', documentPath: [i] }, extraction));
  if (extraction.errors.length > 0)
    throw new Error(`test objects are invalid: ${extraction.errors.map((e) => e.message).join('; ')}`);
  const facts = createFacts(extraction.objects, new Set(extraction.objects.map((o) => o.kind)));
  const options = {
    rules: [rule as unknown as AnyRule],
    version: parsePssVersion('latest'),
    now: new Date(0),
    knownRuleIds: REGISTRY.knownIds,
  };
  const errors: { source: string; message: string }[] = [];
  const inspectObject = createObjectInspector(options, facts);
  const inspectWorkload = createInspector(options, facts);
  const findings = extraction.objects
    .filter((o) => subjectKindOfObject(o.kind) === 'rbac')
    .flatMap((o) => inspectObject(deepFreeze({ ...o, subject: 'rbac' as const }), errors).findings);
  for (const workload of extraction.workloads) findings.push(...inspectWorkload(workload, errors).findings);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('; '));
  return findings;
}

const on = (f: { workload: { kind: string; namespace: string | null; name: string } }) =>
  `${f.workload.kind} ${f.workload.namespace ? `${f.workload.namespace}/` : ''}${f.workload.name}`;

export function testRbacRule<M extends string>(
  rule: ObjectRule<M, 'rbac'>,
  cases: { valid: readonly ScanCase[]; invalid: readonly InvalidScanCase<NoInfer<M>>[] },
): void {
  const run = (c: ScanCase) => runRbacRule(rule as unknown as ObjectRule<string, 'rbac'>, c.objects);
  describe(rule.meta.id, () => {
    it('has a well-formed case table', () => {
      checkCaseTable(rule as unknown as Rule<M>, cases as never);
    });
    for (const testCase of cases.valid)
      it(`valid: ${testCase.name}`, () => {
        // Findings exempt by default stay in the report; a valid case has none that count.
        expect(
          run(testCase)
            .filter((f) => !f.exempted)
            .map((f) => [on(f), f.messageId, f.path]),
        ).toEqual([]);
      });
    for (const testCase of cases.invalid)
      it(`invalid: ${testCase.name}`, () => {
        expectFindings(run(testCase), testCase.findings, rule.meta.severity, {
          actual: (f) => ({ on: on(f) }),
          expected: (e) => ({ on: e.on }),
        });
      });
  });
}
