import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../engine/finding.ts';
import { interpolate, LANGUAGES, type Localized } from '../engine/i18n.ts';
import { parsePssVersion } from '../engine/pss-version.ts';
import type { WorkloadResult } from '../engine/run.ts';
import { severityRank, SEVERITIES } from '../engine/severity.ts';
import { ALL_RULES } from '../rules/index.ts';
import type { WorkloadRef } from '../workloads/model.ts';
import { buildReport } from './build.ts';
import { FINDING_ID_LENGTH, findingId, findingIds, withCurrentIds } from './finding-ids.ts';

function report(results: WorkloadResult[], lang: (typeof LANGUAGES)[number] = 'en') {
  return buildReport({
    results,
    errors: [],
    rules: ALL_RULES,
    lang,
    source: 'manifests',
    pssVersion: parsePssVersion('latest'),
    generatedAt: new Date('2026-01-01T00:00:00Z'),
    toolVersion: 'test',
  });
}

/** The order reports have always had, written as the plain comparator. */
function compareFindings(
  a: Pick<Finding, 'severity' | 'workload' | 'ruleId' | 'path'>,
  b: Pick<Finding, 'severity' | 'workload' | 'ruleId' | 'path'>,
): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.workload.namespace ?? '').localeCompare(b.workload.namespace ?? '') ||
    a.workload.kind.localeCompare(b.workload.kind) ||
    a.workload.name.localeCompare(b.workload.name) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.path.localeCompare(b.path)
  );
}

const word = fc.constantFrom('a', 'B', 'b', 'é', 'e', 'Z', 'app-10', 'app-9', 'ß', '');

describe('buildReport', () => {
  it('makes finding ids from a hash of the workload and a hash of rule, container, path and missing field', () => {
    const sha = (parts: string[], digits: number) =>
      createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, digits);
    const finding = {
      ruleId: 'privileged',
      workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      container: 'app',
      path: 'spec.x',
      missing: 'y',
    };
    expect(findingId(finding)).toBe(
      sha(['Deployment', 'shop', 'web'], 12) + sha(['privileged', 'app', 'spec.x', 'y'], 8),
    );
    expect(
      findingId({
        ...finding,
        workload: { ...finding.workload, namespace: null },
        container: null,
        missing: undefined,
      }),
    ).toBe(sha(['Deployment', '', 'web'], 12) + sha(['privileged', '', 'spec.x', ''], 8));
    expect(findingId(finding)).toHaveLength(FINDING_ID_LENGTH);
    // Every field of the key counts.
    const others = [
      { ...finding, ruleId: 'host-pid' },
      { ...finding, workload: { ...finding.workload, kind: 'StatefulSet' } },
      { ...finding, workload: { ...finding.workload, namespace: 'other' } },
      { ...finding, workload: { ...finding.workload, name: 'api' } },
      { ...finding, container: 'side' },
      { ...finding, path: 'spec.z' },
      { ...finding, missing: 'z' },
    ];
    expect(new Set([finding, ...others].map(findingId)).size).toBe(others.length + 1);
    // The memoized form gives the same ids.
    const ids = findingIds();
    for (const f of [finding, ...others, finding]) expect(ids(f)).toBe(findingId(f));
  });

  it('re-derives the ids of findings read back from an earlier version', () => {
    const current = {
      id: '',
      ruleId: 'privileged',
      workload: { kind: 'Pod', namespace: 'a', name: 'p' },
      container: 'c',
      path: 'spec.containers[0]',
    };
    const fresh = { ...current, id: findingId(current) };
    const legacy = { ...current, id: '0123456789abcdef' };
    const [kept, rekeyed] = withCurrentIds([fresh, legacy]);
    expect(kept).toBe(fresh);
    expect(rekeyed).toEqual(fresh);
    expect(legacy.id).toBe('0123456789abcdef');
  });

  it('sorts by severity, namespace, kind, name, rule and path in locale order, stably', () => {
    const workloadArb = fc.record({ kind: word, namespace: fc.option(word, { nil: null }), name: word });
    const findingArb = fc.record({ ruleId: word, severity: fc.constantFrom(...SEVERITIES), path: word });
    fc.assert(
      fc.property(
        fc.array(fc.record({ workload: workloadArb, findings: fc.array(findingArb, { maxLength: 6 }) }), {
          maxLength: 12,
        }),
        (workloads) => {
          let tag = 0;
          const results: WorkloadResult[] = workloads.map(({ workload, findings }) => {
            const ref: WorkloadRef = workload;
            return {
              subject: 'pod-spec',
              workload: ref,
              score: 100,
              findings: findings.map((f): Finding => ({
                ruleId: f.ruleId,
                severity: f.severity,
                category: 'hardening',
                pss: null,
                workload: ref,
                container: null,
                path: f.path,
                messageId: 'm',
                data: { tag: tag++ },
              })),
            };
          });
          const built = report(results).findings;
          const stableReference = results
            .flatMap((r) => r.findings)
            .map((f, index) => ({ f, index }))
            .sort((a, b) => compareFindings(a.f, b.f) || a.index - b.index)
            .map(({ f }) => f.data['tag']);
          expect(built.map((f) => f.data['tag'])).toEqual(stableReference);
        },
      ),
    );
  });

  it('fills every rule message like interpolate, with the container and the finding data', () => {
    const messages = ALL_RULES.flatMap((rule) =>
      Object.entries(rule.meta.messages as Readonly<Record<string, Localized>>).map(([messageId, text]) => ({
        ruleId: rule.meta.id,
        messageId,
        text,
      })),
    );
    const value = fc.oneof(fc.string(), fc.integer(), fc.constantFrom('$&', '{{container}}', '$1'));
    fc.assert(
      fc.property(
        fc.constantFrom(...messages),
        fc.constantFrom(...LANGUAGES),
        fc.option(fc.string(), { nil: null }),
        fc.dictionary(
          fc.constantFrom(
            'container',
            'image',
            'capability',
            'volume',
            'value',
            'hostPath',
            'profile',
            'port',
            'x',
          ),
          value,
        ),
        ({ ruleId, messageId, text }, lang, container, data) => {
          const ref: WorkloadRef = { kind: 'Pod', namespace: 'ns', name: 'p' };
          const finding: Finding = {
            ruleId,
            severity: 'low',
            category: 'hardening',
            pss: null,
            workload: ref,
            container,
            path: 'spec',
            messageId,
            data,
          };
          const built = report(
            [{ subject: 'pod-spec', workload: ref, score: 100, findings: [finding] }],
            lang,
          ).findings[0];
          expect(built?.message).toBe(interpolate(text[lang], { container: container ?? '', ...data }));
        },
      ),
    );
  });
});
