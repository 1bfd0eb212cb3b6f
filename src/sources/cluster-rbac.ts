import { isApiStatus, type KubeApi } from '../kube/client.ts';
import type { RbacObject } from '../rbac/model.ts';
import { parseRbacObject, RBAC_API_GROUP } from '../rbac/schema.ts';
import { readCollection, resourcePath, type ClusterListOptions, type UnreadableResource } from './cluster.ts';

/** The four RBAC kinds, always listed across the cluster: a binding anywhere may grant a workload's account. */
export const RBAC_RESOURCES = [
  { kind: 'ClusterRole', apiVersion: `${RBAC_API_GROUP}/v1`, resource: 'clusterroles' },
  { kind: 'ClusterRoleBinding', apiVersion: `${RBAC_API_GROUP}/v1`, resource: 'clusterrolebindings' },
  { kind: 'Role', apiVersion: `${RBAC_API_GROUP}/v1`, resource: 'roles' },
  { kind: 'RoleBinding', apiVersion: `${RBAC_API_GROUP}/v1`, resource: 'rolebindings' },
] as const;

export interface RbacListing {
  readonly objects: RbacObject[];
  /** Objects that did not validate, named `cluster: <Kind> <namespace>/<name>`. */
  readonly errors: { source: string; message: string }[];
  /** Kinds the credentials may not list; RBAC findings that need them are missing from the report. */
  readonly unreadable: UnreadableResource[];
  readonly stats: { requests: number; restarts: number };
}

/**
 * Lists every Role, ClusterRole, RoleBinding and ClusterRoleBinding page by page. A kind the
 * credentials may not list (403) is recorded and the others are still read; an object that does not
 * validate becomes an error naming it, and the rest are kept.
 */
export async function listRbacObjects(api: KubeApi, options: ClusterListOptions = {}): Promise<RbacListing> {
  const listing: RbacListing = {
    objects: [],
    errors: [],
    unreadable: [],
    stats: { requests: 0, restarts: 0 },
  };
  for (const resource of RBAC_RESOURCES) {
    const objects: RbacObject[] = [];
    const errors: { source: string; message: string }[] = [];
    try {
      for await (const event of readCollection(
        api,
        resourcePath(resource, null),
        {},
        options,
        listing.stats,
      )) {
        if (event.type === 'restart') {
          objects.length = 0;
          errors.length = 0;
          continue;
        }
        // List items come without apiVersion and kind.
        const parsed = parseRbacObject({
          ...event.item,
          apiVersion: resource.apiVersion,
          kind: resource.kind,
        });
        if (parsed.ok) objects.push(parsed.object);
        else errors.push({ source: `cluster: ${resource.kind}`, message: parsed.error });
      }
    } catch (error) {
      if (!isApiStatus(error, 403)) throw error;
      listing.unreadable.push({ kind: resource.kind, namespace: null, status: 403, message: error.message });
      continue;
    }
    listing.objects.push(...objects);
    listing.errors.push(...errors);
  }
  return listing;
}

/** The report's error for RBAC objects that could not be read. */
export function describeUnreadableRbac(entry: UnreadableResource): { source: string; message: string } {
  return {
    source: `cluster: ${entry.kind} in all namespaces`,
    message: `not listed: forbidden (${entry.status}); RBAC findings (on bindings and on workloads' service accounts) that need these objects are missing from this report`,
  };
}
