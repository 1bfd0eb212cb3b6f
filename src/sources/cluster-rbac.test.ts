import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import { describeUnreadableRbac, listRbacObjects } from './cluster-rbac.ts';

type Item = Record<string, unknown>;

function fakeApi(collections: Record<string, Item[]>, forbidden?: RegExp): { api: KubeApi; paths: string[] } {
  const paths: string[] = [];
  const api: KubeApi = {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      paths.push(path);
      if (forbidden?.test(path)) throw new KubeApiError(method, path, 403, 'Forbidden', 'no');
      const items = collections[path.split('/').at(-1)!] ?? [];
      const limit = Number(options.query?.['limit'] ?? 500);
      const start = Number(options.query?.['continue'] ?? 0);
      const next = start + limit < items.length ? String(start + limit) : undefined;
      return {
        metadata: next ? { continue: next } : {},
        items: structuredClone(items.slice(start, start + limit)),
      } as T;
    },
    async watch() {},
  };
  return { api, paths };
}

describe('listRbacObjects', () => {
  const roles = Array.from({ length: 5 }, (_, i) => ({
    metadata: { name: `r${i}`, namespace: 'shop' },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
  }));

  it('reads every kind cluster-wide, page by page, and names bad objects without dropping the others', async () => {
    const { api, paths } = fakeApi({
      roles,
      clusterroles: [{ metadata: { name: 'c' }, rules: [{ verbs: 'get' }] }, { metadata: { name: 'ok' } }],
      rolebindings: [
        {
          metadata: { name: 'rb', namespace: 'shop' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r0' },
        },
      ],
    });
    const listing = await listRbacObjects(api, { pageSize: 2 });
    expect(listing.objects.map((o) => `${o.kind} ${o.namespace ?? ''}/${o.name}`)).toEqual([
      'ClusterRole /ok',
      'Role shop/r0',
      'Role shop/r1',
      'Role shop/r2',
      'Role shop/r3',
      'Role shop/r4',
      'RoleBinding shop/rb',
    ]);
    expect(listing.errors).toEqual([
      { source: 'cluster: ClusterRole', message: expect.stringContaining('ClusterRole c: rules.0.verbs') },
    ]);
    expect(new Set(paths)).toEqual(
      new Set(
        ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'].map(
          (r) => `/apis/rbac.authorization.k8s.io/v1/${r}`,
        ),
      ),
    );
    expect(listing.stats.requests).toBe(paths.length);
  });

  it('records a kind it may not list and still reads the others', async () => {
    const { api } = fakeApi({ roles }, /rolebindings$/);
    const listing = await listRbacObjects(api);
    expect(listing.objects).toHaveLength(5);
    expect(listing.unreadable.map((u) => [u.kind, u.status])).toEqual([
      ['ClusterRoleBinding', 403],
      ['RoleBinding', 403],
    ]);
    expect(describeUnreadableRbac(listing.unreadable[0]!)).toEqual({
      source: 'cluster: ClusterRoleBinding in all namespaces',
      message: expect.stringContaining('RBAC findings'),
    });
  });
});
