import { describe, expect, it } from 'vitest';
import { extractWorkloads } from '../workloads/extract.ts';
import { nestPodSpec } from '../../test/support/rule-kit.ts';
import { createInspector, type EngineOptions } from './run.ts';
import { parsePssVersion } from './pss-version.ts';
import { privileged } from '../rules/privileged/rule.ts';
import { formatPath, parsePath, resolvePath, existingPrefixLength } from '../shared/field-path.ts';
import { workloadScore, overallScore } from './score.ts';
import type { Finding } from './finding.ts';
import { globMatch } from './glob.ts';

const privSpec = {
  containers: [
    { name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } },
    { name: 'side', image: 'nginx:1.27', securityContext: { privileged: true } },
  ],
};

function run(object: unknown, options: Partial<EngineOptions> = {}) {
  const { workloads } = extractWorkloads(object, { file: 'f.yaml', documentPath: [] });
  const inspector = createInspector({
    rules: [privileged],
    version: parsePssVersion('latest'),
    now: new Date('2026-06-01T00:00:00Z'),
    ...options,
  });
  return inspector(workloads[0]!);
}

describe('paths', () => {
  it('formats and parses, quoting annotation keys', () => {
    const path = ['spec', 'template', 'metadata', 'annotations', 'kube-patrol.io/exempt.x', 'containers', 0];
    const text = formatPath(path);
    expect(text).toBe('spec.template.metadata.annotations["kube-patrol.io/exempt.x"].containers[0]');
    expect(parsePath(text)).toEqual(path);
  });
  it('resolves paths and finds the deepest existing prefix', () => {
    const obj = { a: { b: [{ c: null }] } };
    expect(resolvePath(obj, ['a', 'b', 0, 'c'])).toEqual({ found: true, value: null });
    expect(resolvePath(obj, ['a', 'b', 1]).found).toBe(false);
    expect(existingPrefixLength(obj, ['a', 'b', 0, 'd', 'e'])).toBe(3);
  });
});

describe('exemptions', () => {
  it('an annotation on the pod template exempts every container, keeping the finding marked', () => {
    const result = run(
      nestPodSpec('Deployment', privSpec, { 'kube-patrol.io/exempt.privileged': 'CNI plugin needs it' }),
    );
    expect(result.findings).toHaveLength(2);
    expect(
      result.findings.every(
        (f) => f.exempted?.by === 'annotation' && f.exempted.reason === 'CNI plugin needs it',
      ),
    ).toBe(true);
    expect(result.score).toBe(100);
  });
  it('an annotation on the workload metadata with a container suffix exempts only that container', () => {
    const object = nestPodSpec('Deployment', privSpec);
    (object['metadata'] as Record<string, unknown>)['annotations'] = {
      'kube-patrol.io/exempt.privileged.side': 'debug sidecar',
    };
    const result = run(object);
    expect(result.findings.map((f) => [f.container, f.exempted?.reason])).toEqual([
      ['app', undefined],
      ['side', 'debug sidecar'],
    ]);
  });
  it('an empty reason exempts nothing', () => {
    const result = run(nestPodSpec('Pod', privSpec, { 'kube-patrol.io/exempt.privileged': '  ' }));
    expect(result.findings.every((f) => f.exempted === undefined)).toBe(true);
  });
  it('config exemptions match by glob (whole name, never by prefix), namespace, kind and container', () => {
    const exemptions = [
      { rules: ['privileged'], namespaces: ['te*'], names: ['dem'], reason: 'prefix must not match' },
      { rules: ['*'], kinds: ['Pod'], containers: ['si?e'], reason: 'sidecar' },
    ];
    const result = run(nestPodSpec('Pod', privSpec), { exemptions });
    expect(result.findings.map((f) => [f.container, f.exempted?.reason])).toEqual([
      ['app', undefined],
      ['side', 'sidecar'],
    ]);
  });
  it('an expired config exemption turns back into a finding and says so', () => {
    const exemptions = [
      { rules: ['privileged'], reason: 'temporary', expires: new Date('2026-01-01T00:00:00Z') },
    ];
    const result = run(nestPodSpec('Pod', privSpec), { exemptions });
    expect(
      result.findings.every((f) => f.exempted === undefined && f.exemptionExpired?.reason === 'temporary'),
    ).toBe(true);
    const later = run(nestPodSpec('Pod', privSpec), { exemptions, now: new Date('2025-12-01T00:00:00Z') });
    expect(
      later.findings.every(
        (f) => f.exempted?.by === 'config' && f.exempted.expires === '2026-01-01T00:00:00.000Z',
      ),
    ).toBe(true);
  });
});

describe('policy', () => {
  it('overrides severity and disables rules', () => {
    expect(
      run(nestPodSpec('Pod', privSpec), {
        rulePolicy: { privileged: { enabled: true, severity: 'low' } },
      }).findings.map((f) => f.severity),
    ).toEqual(['low', 'low']);
    expect(
      run(nestPodSpec('Pod', privSpec), { rulePolicy: { privileged: { enabled: false } } }).findings,
    ).toEqual([]);
  });
  it('a rule that throws becomes an error, not a crash', () => {
    const broken = {
      ...privileged,
      check: () => {
        throw new Error('boom');
      },
    };
    const { workloads } = extractWorkloads(nestPodSpec('Pod', privSpec), {
      file: 'f.yaml',
      documentPath: [],
    });
    const errors: { source: string; message: string }[] = [];
    createInspector({ rules: [broken], version: parsePssVersion('latest'), now: new Date(0) })(
      workloads[0]!,
      errors,
    );
    expect(errors).toEqual([{ source: 'Pod test/demo', message: 'rule privileged failed: boom' }]);
  });
});

describe('score', () => {
  const f = (ruleId: string, severity: Finding['severity'], exempt = false) =>
    ({ ruleId, severity, ...(exempt ? { exempted: { by: 'config', reason: 'r' } } : {}) }) as Finding;
  it('counts each rule once at its worst severity, ignores exempted findings, floors at 0', () => {
    expect(workloadScore([])).toBe(100);
    expect(workloadScore([f('a', 'high'), f('a', 'critical'), f('b', 'low')])).toBe(100 - 40 - 3);
    expect(workloadScore([f('a', 'critical', true)])).toBe(100);
    expect(workloadScore([f('a', 'critical'), f('b', 'critical'), f('c', 'critical')])).toBe(0);
    expect(overallScore([100, 57])).toBe(79);
    expect(overallScore([])).toBe(100);
  });
});

describe('glob', () => {
  it('matches whole strings only', () => {
    expect(globMatch('kube-*', 'kube-system')).toBe(true);
    expect(globMatch('kube', 'kube-system')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});
