import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { emptyExtraction, extractWorkloads } from '../workloads/extract.ts';
import type { KubeObject } from '../workloads/model.ts';
import {
  namespaceInScope,
  readCollection,
  resourcePath,
  type ClusterListOptions,
  type ClusterScope,
  type UnreadableResource,
} from './cluster.ts';

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
