import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeApi } from '../kube/client.ts';
import { KUBELET_CONFIG_SOURCE_ANNOTATION } from '../engine/subject.ts';
import type { ClusterObjects } from './cluster-objects.ts';
import { readKubeletConfigz } from './kubelet-configz.ts';

const readyNode = (name: string) => ({
  metadata: { name },
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
  },
});

/** Nodes from memory; `configz` answers per node: a kubeletconfig object, or an HTTP status to fail with. */
function fakeApi(nodes: unknown[], configz: Record<string, Record<string, unknown> | number>) {
  const paths: string[] = [];
  const api: KubeApi = {
    async request<T>(method: string, path: string): Promise<T> {
      paths.push(path);
      if (path === '/api/v1/nodes') {
        if (configz['list'] === 403) throw new KubeApiError(method, path, 403, 'Forbidden', 'no');
        return { metadata: { resourceVersion: '1' }, items: nodes } as T;
      }
      const name = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/configz$/.exec(path)?.[1] ?? '';
      const answer = configz[name];
      if (typeof answer === 'number')
        throw new KubeApiError(method, path, answer, 'Failure', 'kubelet says no');
      return (answer === undefined ? {} : { kubeletconfig: answer }) as T;
    },
    async watch() {},
  };
  return { api, paths };
}

const emptyResult = (): ClusterObjects => ({
  objects: [],
  known: new Set(),
  unreadable: [],
  errors: [],
  stats: { requests: 0, restarts: 0 },
});

describe('readKubeletConfigz', () => {
  it('reads the live configuration of Ready nodes only, named after the node, with its source', async () => {
    const { api, paths } = fakeApi(
      [
        readyNode('a'),
        // Hand-made Node object, and a NotReady one: their kubelets are not asked.
        { metadata: { name: 'made-by-hand' } },
        { ...readyNode('down'), status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      ],
      { a: { seccompDefault: true, cgroupDriver: 'cgroupfs' } },
    );
    const result = emptyResult();
    await readKubeletConfigz(api, {}, result);
    expect(paths).toEqual(['/api/v1/nodes', '/api/v1/nodes/a/proxy/configz']);
    expect(result.objects).toHaveLength(1);
    const [config] = result.objects;
    expect(config?.kind).toBe('KubeletConfiguration');
    expect(config?.name).toBe('a');
    expect(config?.object['seccompDefault']).toBe(true);
    expect(config?.metadata.annotations?.[KUBELET_CONFIG_SOURCE_ANNOTATION]).toBe(
      'kubelet configz of node a (live)',
    );
    expect(result.known.has('KubeletConfiguration')).toBe(true);
    expect(result.errors).toEqual([]);
  });

  it('falls back silently without nodes/proxy (403), and without the right to list nodes', async () => {
    const cases: Record<string, number>[] = [{ a: 403, b: 403 }, { list: 403 }];
    for (const configz of cases) {
      const { api, paths } = fakeApi([readyNode('a'), readyNode('b')], configz);
      const result = emptyResult();
      await readKubeletConfigz(api, {}, result);
      expect(result.objects).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.known.size).toBe(0);
      // One forbidden answer is enough: the other nodes are not asked.
      expect(paths.filter((p) => p.endsWith('/configz')).length).toBeLessThanOrEqual(1);
    }
  });

  it('records a kubelet that fails or answers nonsense as an error of that node and reads the others', async () => {
    const { api } = fakeApi([readyNode('broken'), readyNode('odd'), readyNode('fine')], {
      broken: 502,
      fine: { seccompDefault: false },
    });
    const result = emptyResult();
    await readKubeletConfigz(api, {}, result);
    expect(result.objects.map((o) => o.name)).toEqual(['fine']);
    expect(result.errors.map((e) => e.source)).toEqual([
      'cluster: node broken configz',
      'cluster: node odd configz',
    ]);
    expect(result.errors[0]?.message).toMatch(/502/);
  });
});
