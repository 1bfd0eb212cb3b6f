import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import {
  listAllPages,
  listClusterWorkloadEvents,
  listClusterWorkloads,
  ListExpiredError,
  type ClusterEvent,
  type ClusterListOptions,
} from './cluster.ts';

/** Every event of one listing, in order. */
async function eventsOf(api: KubeApi, options: ClusterListOptions): Promise<ClusterEvent[]> {
  const events: ClusterEvent[] = [];
  for await (const event of listClusterWorkloadEvents(api, {}, options)) events.push(event);
  return events;
}

type Item = Record<string, unknown>;

/** An API that serves lists from memory, paginated, with scripted failures. */
function fakeApi(
  collections: Record<string, Item[]>,
  faults: { forbidden?: RegExp; expireOnce?: RegExp; expireAlways?: RegExp } = {},
) {
  const calls: { path: string; query: Record<string, unknown> }[] = [];
  let expired = false;
  const api: KubeApi = {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      const query = (options.query ?? {}) as Record<string, string | number | undefined>;
      calls.push({ path, query });
      if (faults.forbidden?.test(path)) throw new KubeApiError(method, path, 403, 'Forbidden', 'no');
      const token = query['continue'] as string | undefined;
      if (token && ((faults.expireOnce?.test(path) && !expired) || faults.expireAlways?.test(path))) {
        expired = true;
        throw new KubeApiError(method, path, 410, 'Expired', 'The provided continue parameter is too old');
      }
      // Cluster-wide path: every namespace's items; namespaced path: that namespace's.
      const match = /\/namespaces\/([^/]+)\/(\w+)$/.exec(path);
      const resource = path.split('/').at(-1)!;
      let items = collections[resource] ?? [];
      if (match)
        items = items.filter((i) => (i['metadata'] as { namespace?: string }).namespace === match[1]);
      if (query['labelSelector']) {
        const [key, value] = String(query['labelSelector']).split('=');
        items = items.filter(
          (i) => (i['metadata'] as { labels?: Record<string, string> }).labels?.[key!] === value,
        );
      }
      const limit = Number(query['limit'] ?? 500);
      const start = token ? Number(token) : 0;
      const next = start + limit < items.length ? String(start + limit) : undefined;
      return {
        metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
        items: structuredClone(items.slice(start, start + limit)),
      } as T;
    },
    async watch() {},
  };
  return { api, calls };
}

const container = { name: 'app', image: 'nginx:1.27' };
const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } };
const meta = (namespace: string, name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace,
  uid: `${namespace}/${name}`,
  ...extra,
});
const ownedBy = (uid: string) => ({
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'X', name: 'x', uid, controller: true }],
});

const cluster = {
  deployments: [{ metadata: meta('shop', 'web', { labels: { tier: 'front' } }), spec: { template } }],
  replicasets: [
    { metadata: meta('shop', 'web-1', ownedBy('shop/web')), spec: { template } },
    { metadata: meta('shop', 'rollout-1', ownedBy('uid-of-a-custom-resource')), spec: { template } },
  ],
  pods: [
    { metadata: meta('shop', 'web-1-a', ownedBy('shop/web-1')), spec: template.spec },
    { metadata: meta('shop', 'bare', { labels: { tier: 'front' } }), spec: template.spec },
    { metadata: meta('kube-system', 'dns'), spec: template.spec },
    { metadata: meta('shop', 'job-1-a', ownedBy('shop/job-1')), spec: template.spec },
  ],
  cronjobs: [{ metadata: meta('shop', 'nightly'), spec: { jobTemplate: { spec: { template } } } }],
  jobs: [{ metadata: meta('shop', 'job-1', ownedBy('shop/nightly')), spec: { template } }],
  namespaces: [
    { metadata: { name: 'shop' } },
    { metadata: { name: 'kube-system' } },
    { metadata: { name: 'shop-staging' } },
  ],
};

const names = (workloads: { kind: string; namespace: string | null; name: string }[]) =>
  workloads.map((w) => `${w.kind}/${w.namespace}/${w.name}`).sort();

describe('listClusterWorkloads', () => {
  it('collapses owned objects onto what a person edits, unless the owner was not read', async () => {
    const { api } = fakeApi(cluster);
    const listing = await listClusterWorkloads(api);
    expect(names(listing.workloads)).toEqual([
      'CronJob/shop/nightly',
      'Deployment/shop/web',
      'Pod/kube-system/dns',
      'Pod/shop/bare',
      'ReplicaSet/shop/rollout-1',
    ]);
    expect(Object.fromEntries(listing.collapsed)).toEqual({ ReplicaSet: 1, Pod: 2, Job: 1 });
    expect(listing.unreadable).toEqual([]);
    // Objects as the engine expects them: kind and apiVersion set, status and managedFields gone.
    expect(listing.workloads.find((w) => w.kind === 'Deployment')!.object).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
    });
  });

  it('pages with limit/continue and restarts a list whose continue token expired (410)', async () => {
    const pods = Array.from({ length: 7 }, (_, i) => ({
      metadata: meta('shop', `p${i}`),
      spec: template.spec,
    }));
    const { api, calls } = fakeApi({ pods }, { expireOnce: /pods$/ });
    const stats = { requests: 0, restarts: 0 };
    const items = await listAllPages(api, '/api/v1/pods', {}, { pageSize: 3 }, stats);
    expect(items.map((i) => (i['metadata'] as { name: string }).name)).toEqual(
      pods.map((p) => p.metadata.name),
    );
    expect(stats).toEqual({ requests: 5, restarts: 1 }); // page 1, expired page 2, then 3 pages afresh
    expect(calls.map((c) => c.query['continue'] ?? '-')).toEqual(['-', '3', '-', '3', '6']);
  });

  it('gives up on a list that keeps expiring', async () => {
    const pods = Array.from({ length: 4 }, (_, i) => ({
      metadata: meta('shop', `p${i}`),
      spec: template.spec,
    }));
    const { api } = fakeApi({ pods }, { expireAlways: /pods$/ });
    await expect(
      listAllPages(api, '/api/v1/pods', {}, { pageSize: 2, maxRestarts: 2 }),
    ).rejects.toBeInstanceOf(ListExpiredError);
  });

  it('records a kind it may not list (403) and scans the rest', async () => {
    const { api } = fakeApi(cluster, { forbidden: /cronjobs$/ });
    const listing = await listClusterWorkloads(api);
    expect(listing.unreadable).toEqual([
      expect.objectContaining({ kind: 'CronJob', namespace: null, status: 403 }),
    ]);
    // The Job's owner could not be read, so the Job is reported itself (its Pod collapses onto it).
    expect(names(listing.workloads)).toContain('Job/shop/job-1');
  });

  it('lists per namespace for a short explicit list, and falls back to that when cluster-wide lists are forbidden', async () => {
    const { api, calls } = fakeApi(cluster);
    const listing = await listClusterWorkloads(api, { namespaces: ['shop'] });
    expect(listing.workloads.every((w) => w.namespace === 'shop')).toBe(true);
    expect(calls.every((c) => c.path.includes('/namespaces/shop/'))).toBe(true);

    const limited = fakeApi(cluster, {
      forbidden:
        /^\/apis?\/[^n]*\/(pods|deployments|replicasets|statefulsets|daemonsets|jobs|cronjobs|replicationcontrollers|podtemplates)$/,
    });
    const perNamespace = await listClusterWorkloads(
      limited.api,
      { namespaces: ['shop*'] },
      { perNamespaceLimit: 0 },
    );
    expect(perNamespace.unreadable).toEqual([]);
    expect(names(perNamespace.workloads)).toContain('Deployment/shop/web');
  });

  it('matches namespace globs and exclusions, and passes the label selector to the server', async () => {
    const { api, calls } = fakeApi(cluster);
    const excluded = await listClusterWorkloads(api, { excludeNamespaces: ['kube-*'] });
    expect(excluded.workloads.some((w) => w.namespace === 'kube-system')).toBe(false);
    const globbed = await listClusterWorkloads(api, {
      namespaces: ['shop*'],
      excludeNamespaces: ['*-staging'],
    });
    expect(new Set(globbed.workloads.map((w) => w.namespace))).toEqual(new Set(['shop']));
    calls.length = 0;
    const selected = await listClusterWorkloads(api, { labelSelector: 'tier=front' });
    expect(calls.every((c) => c.query['labelSelector'] === 'tier=front')).toBe(true);
    expect(names(selected.workloads)).toEqual(['Deployment/shop/web', 'Pod/shop/bare']);
  });

  it('fails the scan on anything but 403 (a partial listing would mislead)', async () => {
    const api: KubeApi = {
      request: async (method, path) => {
        throw new KubeApiError(method, path, 500, 'InternalError', 'etcd down');
      },
      watch: async () => {},
    };
    await expect(listClusterWorkloads(api)).rejects.toThrow(/500 InternalError/);
  });

  it('yields page by page, skips objects whose owner was already read, and retracts the rest as a full listing collapses them', async () => {
    // A Pod listed before its owner (the ReplicaSets come last here) is yielded, then retracted at the end.
    const { api } = fakeApi(cluster);
    const events = await eventsOf(api, { pageSize: 1 });
    const yielded = new Map<string, string>();
    for (const e of events)
      if (e.type === 'workload') yielded.set(e.key, `${e.workload.kind}/${e.workload.name}`);
    const kept = new Map(yielded);
    for (const e of events) if (e.type === 'retract') for (const key of e.keys) kept.delete(key);
    const listing = await listClusterWorkloads(api);
    expect([...kept.values()].sort()).toEqual(listing.workloads.map((w) => `${w.kind}/${w.name}`).sort());
    const done = events.at(-1);
    expect(done?.type === 'done' && done.summary.collapsed).toEqual(listing.collapsed);
    expect([...yielded.values()]).not.toContain('Pod/web-1-a'); // its ReplicaSet was read before the pods
    expect([...yielded.values()]).not.toContain('ReplicaSet/web-1'); // and its Deployment before the ReplicaSets
  });

  it('drops what a restarted list gave before its continue token expired', async () => {
    const pods = Array.from({ length: 5 }, (_, i) => ({
      metadata: meta('shop', `p${i}`),
      spec: template.spec,
    }));
    const { api } = fakeApi({ pods }, { expireOnce: /pods$/ });
    const events = await eventsOf(api, { pageSize: 2 });
    // The first attempt's two pods are yielded, then retracted when the list restarts.
    expect(events.filter((e) => e.type === 'retract')).toHaveLength(1);
    const listing = await listClusterWorkloads(
      fakeApi({ pods }, { expireOnce: /pods$/ }).api,
      {},
      { pageSize: 2 },
    );
    expect(listing.workloads.map((w) => w.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(listing.stats.objects).toBe(5);
    expect(listing.stats.restarts).toBe(1);
  });
});
