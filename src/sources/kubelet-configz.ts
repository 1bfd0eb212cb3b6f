import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { KUBELET_CONFIG_SOURCE_ANNOTATION, KUBELET_CONFIGURATION } from '../engine/subject.ts';
import { readCollection, type ClusterListOptions } from './cluster.ts';
import type { ClusterObjects } from './cluster-objects.ts';

/** A kubelet that does not answer in this long is passed over (its node falls back to the cluster default). */
const CONFIGZ_TIMEOUT_MS = 10_000;

interface NodeItem {
  metadata?: { name?: string };
  status?: {
    conditions?: { type?: string; status?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

/** A node whose kubelet reports in: Ready, with a kubelet port. Hand-made Node objects have neither. */
function kubeletAnswers(node: NodeItem): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return ready && (node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0) > 0;
}

/**
 * Each Ready node's live kubelet configuration, `GET /api/v1/nodes/NODE/proxy/configz` through the API
 * server, as a KubeletConfiguration fact named after the node (the rule prefers it to the cluster-wide
 * default). That path needs `get nodes/proxy`, which the operator is not given (docs/seccomp.md): forbidden
 * (403) or not listable nodes means no live configuration, silently, and the kubeadm ConfigMap stays the
 * source. A kubelet that fails to answer is an error of that node only.
 */
export async function readKubeletConfigz(
  api: KubeApi,
  options: ClusterListOptions,
  result: ClusterObjects,
): Promise<void> {
  let names: string[] = [];
  try {
    for await (const event of readCollection(api, '/api/v1/nodes', {}, options, result.stats)) {
      if (event.type === 'restart') {
        names = [];
        continue;
      }
      const node = event.item as NodeItem;
      const name = node.metadata?.name;
      if (name && kubeletAnswers(node)) names.push(name);
    }
  } catch (error) {
    if (isApiStatus(error, 403)) return;
    throw error;
  }
  for (const name of names) {
    let body: { kubeletconfig?: unknown };
    try {
      result.stats.requests++;
      body = await api.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}/proxy/configz`, {
        timeoutMs: CONFIGZ_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (isApiStatus(error, 403)) return;
      if (options.signal?.aborted) throw error;
      result.errors.push({
        source: `cluster: node ${name} configz`,
        message: `the kubelet's live configuration could not be read (${(error as Error).message}); using the cluster-wide source`,
      });
      continue;
    }
    const config = body.kubeletconfig;
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      result.errors.push({
        source: `cluster: node ${name} configz`,
        message: 'the kubelet answered without a kubeletconfig object; using the cluster-wide source',
      });
      continue;
    }
    result.objects.push({
      kind: KUBELET_CONFIGURATION,
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      namespace: null,
      name,
      object: config as Record<string, unknown>,
      metadata: {
        name,
        annotations: { [KUBELET_CONFIG_SOURCE_ANNOTATION]: `kubelet configz of node ${name} (live)` },
      },
      origin: { file: 'cluster', documentPath: [] },
    });
    result.known.add(KUBELET_CONFIGURATION);
  }
}
