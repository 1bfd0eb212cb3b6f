import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import type { InspectionReport, ReportFinding } from '../report/model.ts';
import { DEFAULT_POLICY_REPORT_LIMITS } from '../report/render/openreports.ts';
import { PolicyReportSink, policyReportSinkFor } from './openreports.ts';

type Stored = { metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/**
 * Report objects in memory, keyed by path, with label-selector lists; `served: false` answers 404 as an
 * API server does for a kind whose CRD is not installed.
 */
function fakeReports(served = true, fail: (method: string, path: string) => boolean = () => false) {
  const store = new Map<string, Stored>();
  const calls: { method: string; path: string; options: RequestOptions }[] = [];
  const api: KubeApi = {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      calls.push({ method, path, options });
      if (!served)
        throw new KubeApiError(
          method,
          path,
          404,
          'NotFound',
          'the server could not find the requested resource',
        );
      if (fail(method, path)) throw new KubeApiError(method, path, 403, 'Forbidden', 'injected');
      if (method === 'GET') {
        const [k, v] = String(options.query?.['labelSelector']).split('=');
        const plural = path.split('/').at(-1)!;
        return {
          items: [...store.entries()]
            .filter(([p, o]) => p.split('/').at(-2) === plural && o.metadata.labels?.[k!] === v)
            .map(([, o]) => o),
        } as T;
      }
      if (method === 'PATCH') store.set(path, structuredClone(options.body as Stored));
      if (method === 'DELETE') {
        if (!store.delete(path)) throw new KubeApiError(method, path, 404, 'NotFound', path);
      }
      return {} as T;
    },
    watch: () => Promise.reject(new Error('no watches here')),
  };
  return { api, store, calls };
}

function finding(id: string, namespace: string | null, exempted = false): ReportFinding {
  return {
    id,
    ruleId: 'privileged',
    severity: 'critical',
    category: 'pod-security',
    pss: null,
    workload: { kind: namespace ? 'Pod' : 'Node', namespace, name: `w-${id}` },
    container: null,
    path: 'spec',
    messageId: 'privileged',
    data: {},
    message: 'm',
    remediation: 'r',
    ...(exempted ? { exempted: { by: 'config' as const, reason: 'because' } } : {}),
  };
}

const reportOf = (findings: ReportFinding[]) =>
  ({
    metadata: { generatedAt: '2026-03-01T08:30:00.000Z' },
    findings,
  }) as unknown as InspectionReport;

const sink = (api: KubeApi, logs: string[] = []) =>
  new PolicyReportSink(api, {
    flavours: ['openreports'],
    limits: DEFAULT_POLICY_REPORT_LIMITS,
    log: (message) => logs.push(message),
  });

describe('PolicyReportSink', () => {
  it('server-side applies one object per namespace with strict field validation', async () => {
    const { api, store, calls } = fakeReports();
    const [write] = await sink(api).write(
      reportOf([finding('a', 'shop'), finding('b', 'batch'), finding('n', null)]),
    );
    expect(write).toEqual({ flavour: 'openreports', installed: true, applied: 3, deleted: 0, failed: 0 });
    expect([...store.keys()].sort()).toEqual([
      '/apis/openreports.io/v1alpha1/clusterreports/kube-patrol',
      '/apis/openreports.io/v1alpha1/namespaces/batch/reports/kube-patrol',
      '/apis/openreports.io/v1alpha1/namespaces/shop/reports/kube-patrol',
    ]);
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.options.contentType).toBe('application/apply-patch+yaml');
    expect(patch.options.query).toEqual({
      fieldManager: 'kube-patrol',
      force: true,
      fieldValidation: 'Strict',
    });
  });

  it('deletes its objects of namespaces without findings now, and leaves others’ objects alone', async () => {
    const { api, store } = fakeReports();
    const s = sink(api);
    await s.write(reportOf([finding('a', 'shop'), finding('b', 'batch'), finding('n', null)]));
    const foreign = '/apis/openreports.io/v1alpha1/namespaces/batch/reports/kyverno-abc';
    store.set(foreign, {
      metadata: {
        name: 'kyverno-abc',
        namespace: 'batch',
        labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      },
    });
    const [write] = await s.write(reportOf([finding('a', 'shop'), finding('c', 'batch', true)]));
    expect(write).toMatchObject({ applied: 2, deleted: 1 });
    expect([...store.keys()].sort()).toEqual([
      '/apis/openreports.io/v1alpha1/namespaces/batch/reports/kube-patrol',
      foreign,
      '/apis/openreports.io/v1alpha1/namespaces/shop/reports/kube-patrol',
    ]);
    await s.write(reportOf([]));
    expect([...store.keys()]).toEqual([foreign]);
  });

  it('with prune: false (a partial scan) keeps the objects of namespaces that look clean', async () => {
    const { api, store } = fakeReports();
    const s = sink(api);
    await s.write(reportOf([finding('a', 'shop'), finding('b', 'batch')]));
    const [write] = await s.write(reportOf([finding('a', 'shop')]), { prune: false });
    expect(write).toMatchObject({ applied: 1, deleted: 0 });
    expect(store.size).toBe(2);
  });

  it('without the CRDs writes nothing and says so once, not every scan', async () => {
    const { api, calls } = fakeReports(false);
    const logs: string[] = [];
    const s = sink(api, logs);
    for (let i = 0; i < 3; i++)
      expect(await s.write(reportOf([finding('a', 'shop')]))).toEqual([
        { flavour: 'openreports', installed: false, applied: 0, deleted: 0, failed: 0 },
      ]);
    expect(logs).toEqual([
      'openreports.io/v1alpha1 Report/ClusterReport are not served (CRDs not installed): not writing them',
    ]);
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('goes on past a namespace that refuses the write, and never throws', async () => {
    const { api, store } = fakeReports(true, (method, path) => method === 'PATCH' && path.includes('/shop/'));
    const logs: string[] = [];
    const [write] = await sink(api, logs).write(reportOf([finding('a', 'shop'), finding('b', 'batch')]));
    expect(write).toMatchObject({ applied: 1, failed: 1 });
    expect([...store.keys()]).toEqual(['/apis/openreports.io/v1alpha1/namespaces/batch/reports/kube-patrol']);
    expect(logs).toEqual(['could not write Report shop/kube-patrol']);

    const listFails = fakeReports(true, (method) => method === 'GET');
    const writes = await sink(listFails.api, logs).write(reportOf([finding('a', 'shop')]));
    expect(writes).toEqual([{ flavour: 'openreports', installed: true, applied: 0, deleted: 0, failed: 1 }]);
  });
});

describe('policyReportSinkFor', () => {
  it('is there only when a flavour is enabled, with the configured result limit', async () => {
    const { api, store } = fakeReports();
    expect(
      policyReportSinkFor(api, { openReports: false, policyReports: false, maxResults: 5 }, () => {}),
    ).toBeUndefined();
    const both = policyReportSinkFor(
      api,
      { openReports: true, policyReports: true, maxResults: 1 },
      () => {},
    )!;
    const writes = await both.write(reportOf([finding('a', 'shop'), finding('b', 'shop')]));
    expect(writes.map((w) => w.flavour)).toEqual(['openreports', 'policyreports']);
    const stored = store.get(
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/kube-patrol',
    ) as unknown as {
      results: unknown[];
    };
    expect(stored.results).toHaveLength(1);
  });
});
