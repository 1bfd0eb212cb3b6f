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
import { buildReport, findingId } from './build.ts';

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
function compareFindings(a: Pick<Finding, 'severity' | 'workload' | 'ruleId' | 'path'>, b: Pick<Finding, 'severity' | 'workload' | 'ruleId' | 'path'>): number {
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
  it('keeps finding ids: the first 16 hex digits of the sha256 of the finding key', () => {
    const finding = { ruleId: 'privileged', workload: { kind: 'Deployment', namespace: 'shop', name: 'web' }, container: 'app', path: 'spec.x', missing: 'y' };
    const expected = createHash('sha256').update(['privileged', 'Deployment', 'shop', 'web', 'app', 'spec.x', 'y'].join('\u0000')).digest('hex').slice(0, 16);
    expect(findingId(finding)).toBe(expected);
    expect(findingId({ ...finding, workload: { ...finding.workload, namespace: null }, container: null, missing: undefined })).toBe(
      createHash('sha256').update(['privileged', 'Deployment', '', 'web', '', 'spec.x', ''].join('\u0000')).digest('hex').slice(0, 16),
    );
  });

  it('sorts by severity, namespace, kind, name, rule and path in locale order, stably', () => {
    const workloadArb = fc.record({ kind: word, namespace: fc.option(word, { nil: null }), name: word });
    const findingArb = fc.record({ ruleId: word, severity: fc.constantFrom(...SEVERITIES), path: word });
    fc.assert(
      fc.property(fc.array(fc.record({ workload: workloadArb, findings: fc.array(findingArb, { maxLength: 6 }) }), { maxLength: 12 }), (workloads) => {
        let tag = 0;
        const results: WorkloadResult[] = workloads.map(({ workload, findings }) => {
          const ref: WorkloadRef = workload;
          return {
            workload: ref,
            score: 100,
            findings: findings.map(
              (f): Finding => ({ ruleId: f.ruleId, severity: f.severity, category: 'hardening', pss: null, workload: ref, container: null, path: f.path, messageId: 'm', data: { tag: tag++ } }),
            ),
          };
        });
        const built = report(results).findings;
        const stableReference = results
          .flatMap((r) => r.findings)
          .map((f, index) => ({ f, index }))
          .sort((a, b) => compareFindings(a.f, b.f) || a.index - b.index)
          .map(({ f }) => f.data['tag']);
        expect(built.map((f) => f.data['tag'])).toEqual(stableReference);
      }),
    );
  });

  it('fills every rule message like interpolate, with the container and the finding data', () => {
    const messages = ALL_RULES.flatMap((rule) => Object.entries(rule.meta.messages as Readonly<Record<string, Localized>>).map(([messageId, text]) => ({ ruleId: rule.meta.id, messageId, text })));
    const value = fc.oneof(fc.string(), fc.integer(), fc.constantFrom('$&', '{{container}}', '$1'));
    fc.assert(
      fc.property(
        fc.constantFrom(...messages),
        fc.constantFrom(...LANGUAGES),
        fc.option(fc.string(), { nil: null }),
        fc.dictionary(fc.constantFrom('container', 'image', 'capability', 'volume', 'value', 'hostPath', 'profile', 'port', 'x'), value),
        ({ ruleId, messageId, text }, lang, container, data) => {
          const ref: WorkloadRef = { kind: 'Pod', namespace: 'ns', name: 'p' };
          const finding: Finding = { ruleId, severity: 'low', category: 'hardening', pss: null, workload: ref, container, path: 'spec', messageId, data };
          const built = report([{ workload: ref, score: 100, findings: [finding] }], lang).findings[0];
          expect(built?.message).toBe(interpolate(text[lang], { container: container ?? '', ...data }));
        },
      ),
    );
  });
});
