import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { emptyExtraction, extractWorkloads } from '../workloads/extract.ts';
import type { KubeObject } from '../workloads/model.ts';
import { decodeYamlDocuments } from '../shared/kube-yaml/documents.ts';
import { KUBELET_CONFIG_SOURCE_ANNOTATION, KUBELET_CONFIGURATION } from '../engine/subject.ts';
import {
  namespaceInScope,
  readCollection,
  resourcePath,
  type ClusterListOptions,
  type ClusterScope,
  type UnreadableResource,
} from './cluster.ts';
import { readKubeletConfigz } from './kubelet-configz.ts';

/** An object kind (not a workload) that rules may read, as the API serves it. */
export interface ObjectResource {
  readonly kind: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly namespaced: boolean;
  /** Served only when an add-on's CRD is installed: a 404 means "not in this cluster", not an error. */
  readonly optional?: boolean;
}

/** Every object kind a rule can ask for (meta `facts`, or an object subject kind's kinds). */
export const OBJECT_RESOURCES: readonly ObjectResource[] = [
  { kind: 'Namespace', apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  { kind: 'Node', apiVersion: 'v1', resource: 'nodes', namespaced: false },
  { kind: 'ServiceAccount', apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterroles',
    namespaced: false,
  },
  {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  {
    kind: 'RoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'rolebindings',
    namespaced: true,
  },
  {
    kind: 'SeccompProfile',
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    resource: 'seccompprofiles',
    namespaced: true,
    optional: true,
  },
];

export interface ClusterObjects {
  readonly objects: KubeObject[];
  /** Kinds read completely (in the scope): a rule may conclude from what is absent. */
  readonly known: Set<string>;
  readonly unreadable: UnreadableResource[];
  readonly errors: { source: string; message: string; line?: number }[];
  readonly stats: { requests: number; restarts: number };
}

/**
 * Lists the objects of the kinds asked for, cluster-wide (namespaced kinds are kept in the scope's
 * namespaces). Forbidden (403) → unreadable and not known; not served (404, a CRD not installed) → not
 * known, no error; anything else throws, as for workloads.
 */
export async function listClusterObjects(
  api: KubeApi,
  kinds: ReadonlySet<string>,
  scope: ClusterScope,
  options: ClusterListOptions,
): Promise<ClusterObjects> {
  const result: ClusterObjects = {
    objects: [],
    known: new Set(),
    unreadable: [],
    errors: [],
    stats: { requests: 0, restarts: 0 },
  };
  for (const kind of [...kinds].sort()) {
    if (kind === KUBELET_CONFIGURATION) {
      await readKubeadmKubeletConfig(api, options, result);
      await readKubeletConfigz(api, options, result);
      continue;
    }
    const resource = OBJECT_RESOURCES.find((r) => r.kind === kind);
    if (!resource) throw new Error(`no API resource is known for kind ${kind}`);
    let extraction = emptyExtraction(new Set([kind]));
    try {
      const path = resourcePath(resource, null);
      for await (const event of readCollection(api, path, {}, options, result.stats)) {
        if (event.type === 'restart') {
          extraction = emptyExtraction(new Set([kind]));
          continue;
        }
        const item = event.item;
        const namespace = (item['metadata'] as { namespace?: string } | undefined)?.namespace;
        if (resource.namespaced && !namespaceInScope(scope, namespace ?? '')) continue;
        const metadata = item['metadata'] as Record<string, unknown> | undefined;
        if (metadata) delete metadata['managedFields'];
        extractWorkloads(
          { apiVersion: resource.apiVersion, kind: resource.kind, ...item },
          { file: 'cluster', documentPath: [] },
          extraction,
        );
      }
    } catch (error) {
      if (isApiStatus(error, 403)) {
        result.unreadable.push({
          kind,
          namespace: null,
          status: 403,
          message: (error as Error).message,
        });
        continue;
      }
      if (resource.optional && isApiStatus(error, 404)) continue;
      throw error;
    }
    result.objects.push(...extraction.objects);
    result.errors.push(...extraction.errors);
    result.known.add(kind);
  }
  return result;
}

const KUBEADM_KUBELET_CONFIG = '/api/v1/namespaces/kube-system/configmaps/kubelet-config';

/**
 * kubeadm's `kube-system/kubelet-config` ConfigMap: the kubelet configuration kubeadm gives every node
 * it joins, so the cluster's intended default (a node's own file may differ). Read with `get` on that one
 * ConfigMap; absent (404: not a kubeadm cluster) means unknown, forbidden is recorded as unreadable.
 */
async function readKubeadmKubeletConfig(
  api: KubeApi,
  options: ClusterListOptions,
  result: ClusterObjects,
): Promise<void> {
  let configMap: { data?: Record<string, string> };
  try {
    result.stats.requests++;
    configMap = await api.request(
      'GET',
      KUBEADM_KUBELET_CONFIG,
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    if (isApiStatus(error, 404)) return;
    if (isApiStatus(error, 403)) {
      result.unreadable.push({
        kind: 'ConfigMap kube-system/kubelet-config',
        namespace: 'kube-system',
        status: 403,
        message: (error as Error).message,
      });
      return;
    }
    throw error;
  }
  const text = configMap.data?.['kubelet'];
  const [document] = typeof text === 'string' ? decodeYamlDocuments(text) : [];
  const value = document && 'value' in document ? document.value : undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    result.errors.push({
      source: 'cluster: ConfigMap kube-system/kubelet-config',
      message:
        'data.kubelet is not a KubeletConfiguration document; the kubelet seccompDefault stays unknown',
    });
    return;
  }
  const source = 'kubeadm ConfigMap kube-system/kubelet-config (the cluster-wide intended default)';
  result.objects.push({
    kind: KUBELET_CONFIGURATION,
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    namespace: 'kube-system',
    name: 'kubelet-config',
    object: value as Record<string, unknown>,
    metadata: { name: 'kubelet-config', annotations: { [KUBELET_CONFIG_SOURCE_ANNOTATION]: source } },
    origin: { file: 'cluster', documentPath: [] },
  });
  result.known.add(KUBELET_CONFIGURATION);
}
