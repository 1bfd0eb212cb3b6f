import { describe, expect, it } from 'vitest';
import { formatPath } from '../shared/field-path.ts';
import { nestPodSpec } from '../../test/support/rule-kit.ts';
import { extractWorkloads } from './extract.ts';

const spec = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
const template = { metadata: { labels: { a: 'b' } }, spec };
const origin = { file: 'x.yaml', documentPath: [] };

describe('extractWorkloads', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['Pod', 'v1', { spec }, 'spec'],
    ['Deployment', 'apps/v1', { spec: { template } }, 'spec.template.spec'],
    ['StatefulSet', 'apps/v1', { spec: { template } }, 'spec.template.spec'],
    ['DaemonSet', 'apps/v1', { spec: { template } }, 'spec.template.spec'],
    ['ReplicaSet', 'apps/v1', { spec: { template } }, 'spec.template.spec'],
    ['ReplicationController', 'v1', { spec: { template } }, 'spec.template.spec'],
    ['Job', 'batch/v1', { spec: { template } }, 'spec.template.spec'],
    [
      'CronJob',
      'batch/v1',
      { spec: { jobTemplate: { spec: { template } } } },
      'spec.jobTemplate.spec.template.spec',
    ],
    ['PodTemplate', 'v1', { template }, 'template.spec'],
  ];
  for (const [kind, apiVersion, body, path] of cases) {
    it(`finds the pod spec of a ${kind} at ${path}`, () => {
      const result = extractWorkloads(
        { apiVersion, kind, metadata: { name: 'w', namespace: 'ns' }, ...body },
        origin,
      );
      expect(result.errors).toEqual([]);
      expect(result.workloads).toHaveLength(1);
      const [workload] = result.workloads;
      expect(workload).toMatchObject({ kind, name: 'w', namespace: 'ns' });
      expect(formatPath(workload!.podSpecPath)).toBe(path);
      expect(workload!.podSpec.containers?.[0]?.name).toBe('app');
    });
  }

  it('unpacks kind: List items and keeps their document path', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        nestPodSpec('Pod', spec),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
        nestPodSpec('Deployment', spec),
      ],
    };
    const result = extractWorkloads(list, origin);
    expect(result.workloads.map((w) => [w.kind, formatPath(w.origin.documentPath)])).toEqual([
      ['Pod', 'items[0]'],
      ['Deployment', 'items[2]'],
    ]);
    expect(result.skipped.get('Service')).toBe(1);
  });

  it('skips and counts kinds without a pod template, and CRDs that reuse a kind name', () => {
    const result = extractWorkloads(
      { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template } },
      origin,
    );
    extractWorkloads({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, origin, result);
    expect(result.workloads).toEqual([]);
    expect(Object.fromEntries(result.skipped)).toEqual({ Deployment: 1, ConfigMap: 1 });
    expect(result.errors).toEqual([]);
  });

  it('reports an object with no spec, naming it', () => {
    const result = extractWorkloads(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
      origin,
    );
    expect(result.workloads).toEqual([]);
    expect(result.errors).toEqual([
      { source: 'x.yaml (Deployment shop/web)', message: 'has no spec.template.spec', line: undefined },
    ]);
  });

  it('reports wrong types with the field path, e.g. containers: "x"', () => {
    const result = extractWorkloads(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: 'x' } },
      origin,
    );
    expect(result.workloads).toEqual([]);
    expect(result.errors[0]?.message).toMatch(/^spec\.containers: .*expected array/i);
  });

  it('reports nested wrong types precisely', () => {
    const result = extractWorkloads(
      nestPodSpec('Deployment', { containers: [{ name: 'a', securityContext: { privileged: 'yes' } }] }),
      origin,
    );
    expect(result.errors[0]?.message).toMatch(
      /^spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: .*boolean/i,
    );
  });

  it('treats a non-object document and a missing kind as errors, and an empty document as nothing', () => {
    const result = extractWorkloads('hello', origin);
    extractWorkloads({ apiVersion: 'v1' }, origin, result);
    extractWorkloads(null, origin, result);
    expect(result.errors.map((e) => e.message)).toEqual([
      'document: expected a Kubernetes object, got string',
      'document: object has no kind',
    ]);
  });
});
