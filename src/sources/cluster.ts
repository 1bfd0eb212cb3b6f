import { anyGlobMatch } from '../engine/glob.ts';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import type { Workload } from '../workloads/model.ts';
import { emptyExtraction, extractWorkloads, type Extraction } from '../workloads/extract.ts';

/** A workload kind as the API serves it. */
export interface WorkloadResource {
  readonly kind: string;
  readonly apiVersion: string;
  /** Plural resource name (as RBAC rules name it). */
  readonly resource: string;
}

/** Listed owners first only for readability of logs; collapsing does not depend on the order. */
export const WORKLOAD_RESOURCES: readonly WorkloadResource[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', resource: 'deployments' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', resource: 'statefulsets' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', resource: 'daemonsets' },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', resource: 'replicasets' },
  { kind: 'CronJob', apiVersion: 'batch/v1', resource: 'cronjobs' },
  { kind: 'Job', apiVersion: 'batch/v1', resource: 'jobs' },
  { kind: 'ReplicationController', apiVersion: 'v1', resource: 'replicationcontrollers' },
  { kind: 'Pod', apiVersion: 'v1', resource: 'pods' },
  { kind: 'PodTemplate', apiVersion: 'v1', resource: 'podtemplates' },
];

export function resourcePath(resource: Pick<WorkloadResource, 'apiVersion' | 'resource'>, namespace: string | null): string {
  const base = resource.apiVersion.includes('/') ? `/apis/${resource.apiVersion}` : `/api/${resource.apiVersion}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.resource}` : `${base}/${resource.resource}`;
}

/** Which part of the cluster to read (config `scope`, or `-n` on the command line). */
export interface ClusterScope {
  /** Namespace names or globs; none: every namespace. */
  readonly namespaces?: readonly string[];
  readonly excludeNamespaces?: readonly string[];
  readonly labelSelector?: string;
}

export interface ClusterListOptions {
  /** Objects per list call (`limit`); default 500. */
  readonly pageSize?: number;
  /** Fresh starts of one list after its continue token expired (410 Gone); default 3. */
  readonly maxRestarts?: number;
  /** With more namespaces than this, list each kind across the cluster and filter here; default 5. */
  readonly perNamespaceLimit?: number;
  readonly signal?: AbortSignal;
}

/** A kind (in a namespace, or cluster-wide) that the credentials may not list. */
export interface UnreadableResource {
  readonly kind: string;
  readonly namespace: string | null;
  readonly status: number;
  readonly message: string;
}

export interface ClusterListing {
  /** What a person edits: owned objects whose owner was read are left out. */
  readonly workloads: Workload[];
  readonly extraction: Extraction;
  readonly unreadable: UnreadableResource[];
  /** Objects left out because their controller (also read) is reported instead, by kind. */
  readonly collapsed: Map<string, number>;
  readonly stats: { requests: number; restarts: number; objects: number };
}

interface ListResponse {
  readonly metadata?: { readonly continue?: string; readonly resourceVersion?: string };
  readonly items?: Record<string, unknown>[];
}

interface OwnerReference {
  readonly uid?: string;
  readonly controller?: boolean;
}

/** Thrown when a list keeps failing with 410 Gone after every allowed restart. */
export class ListExpiredError extends Error {
  override readonly name = 'ListExpiredError';
}

const hasGlob = (pattern: string) => /[*?]/.test(pattern);

/**
 * Reads every list page of one collection. A continue token that expired (410 Gone: etcd compacted the
 * revision it pins) restarts that collection from the first page, so a list is never a mix of two
 * snapshots.
 */
export async function listAllPages(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string },
  options: ClusterListOptions,
  stats: { requests: number; restarts: number } = { requests: 0, restarts: 0 },
): Promise<Record<string, unknown>[]> {
  const limit = options.pageSize ?? 500;
  const maxRestarts = options.maxRestarts ?? 3;
  for (let restart = 0; ; restart++) {
    const items: Record<string, unknown>[] = [];
    let token: string | undefined;
    let expired = false;
    do {
      let page: ListResponse;
      try {
        stats.requests++;
        page = await api.request<ListResponse>('GET', path, {
          query: { limit, ...(token ? { continue: token } : {}), ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}) },
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (token && isApiStatus(error, 410)) {
          expired = true;
          break;
        }
        throw error;
      }
      for (const item of page.items ?? []) items.push(item);
      token = page.metadata?.continue || undefined;
    } while (token);
    if (!expired) return items;
    if (restart >= maxRestarts) throw new ListExpiredError(`${path}: the list's continue token expired ${restart + 1} times (410 Gone)`);
    stats.restarts++;
  }
}

function slim(item: Record<string, unknown>, resource: WorkloadResource): Record<string, unknown> {
  // managedFields and status are most of an object's bytes and no rule reads them.
  const metadata = item['metadata'] as Record<string, unknown> | undefined;
  if (metadata) delete metadata['managedFields'];
  delete item['status'];
  return { apiVersion: resource.apiVersion, kind: resource.kind, ...item };
}

async function resolveNamespaces(api: KubeApi, scope: ClusterScope, options: ClusterListOptions, listing: ClusterListing): Promise<string[] | null> {
  const include = scope.namespaces ?? [];
  if (include.length === 0) return null;
  if (!include.some(hasGlob)) return include.filter((ns) => !anyExcluded(scope, ns));
  try {
    const items = await listAllPages(api, '/api/v1/namespaces', {}, options, listing.stats);
    return items
      .map((item) => String((item['metadata'] as { name?: string } | undefined)?.name ?? ''))
      .filter((name) => name && anyGlobMatch(include, name) && !anyExcluded(scope, name))
      .sort();
  } catch (error) {
    if (!isApiStatus(error, 403)) throw error;
    listing.unreadable.push({ kind: 'Namespace', namespace: null, status: 403, message: (error as Error).message });
    return null; // list across the cluster and match the globs here
  }
}

function anyExcluded(scope: ClusterScope, namespace: string): boolean {
  const exclude = scope.excludeNamespaces ?? [];
  return exclude.length > 0 && anyGlobMatch(exclude, namespace);
}

function inScope(scope: ClusterScope, namespace: string): boolean {
  return anyGlobMatch(scope.namespaces, namespace) && !anyExcluded(scope, namespace);
}

/**
 * Lists every workload kind in the scope, paginated, and extracts the pod templates. A 403 on one kind
 * (or one namespace) is recorded in `unreadable` and the scan goes on; any other failure (the API server
 * unreachable, a 5xx after retries) rejects, since a partial listing would make a misleading report.
 */
export async function listClusterWorkloads(api: KubeApi, scope: ClusterScope = {}, options: ClusterListOptions = {}): Promise<ClusterListing> {
  const listing: ClusterListing = {
    workloads: [],
    extraction: emptyExtraction(),
    unreadable: [],
    collapsed: new Map(),
    stats: { requests: 0, restarts: 0, objects: 0 },
  };
  const namespaces = await resolveNamespaces(api, scope, options, listing);
  const perNamespace = namespaces !== null && namespaces.length <= (options.perNamespaceLimit ?? 5);
  const query = scope.labelSelector ? { labelSelector: scope.labelSelector } : {};
  const owners = new Map<string, string>(); // uid → kind of every object read
  const owned: { workload: Workload; ownerUid: string }[] = [];

  const take = (resource: WorkloadResource, items: Record<string, unknown>[]) => {
    for (const raw of items) {
      const metadata = raw['metadata'] as { namespace?: string; uid?: string; ownerReferences?: OwnerReference[] } | undefined;
      const namespace = metadata?.namespace ?? '';
      if (namespaces !== null && !namespaces.includes(namespace)) continue;
      if (namespaces === null && !inScope(scope, namespace)) continue;
      listing.stats.objects++;
      if (metadata?.uid) owners.set(metadata.uid, resource.kind);
      const before = listing.extraction.workloads.length;
      extractWorkloads(slim(raw, resource), { file: 'cluster', documentPath: [] }, listing.extraction);
      const workload = listing.extraction.workloads[before];
      const controller = metadata?.ownerReferences?.find((ref) => ref.controller && ref.uid);
      if (workload && controller?.uid) owned.push({ workload, ownerUid: controller.uid });
    }
  };

  for (const resource of WORKLOAD_RESOURCES) {
    const targets: (string | null)[] = perNamespace ? namespaces : [null];
    for (const namespace of targets) {
      try {
        take(resource, await listAllPages(api, resourcePath(resource, namespace), query, options, listing.stats));
      } catch (error) {
        if (!isApiStatus(error, 403)) throw error;
        if (namespace === null && namespaces !== null) {
          // May not list across the cluster: try the namespaces one by one (a Role per namespace).
          for (const ns of namespaces) {
            try {
              take(resource, await listAllPages(api, resourcePath(resource, ns), query, options, listing.stats));
            } catch (inner) {
              if (!isApiStatus(inner, 403)) throw inner;
              listing.unreadable.push({ kind: resource.kind, namespace: ns, status: 403, message: (inner as Error).message });
            }
          }
        } else {
          listing.unreadable.push({ kind: resource.kind, namespace, status: 403, message: (error as Error).message });
        }
      }
    }
  }

  // Collapse: an object whose controller was also read is reported through the controller (a Pod of a
  // ReplicaSet of a Deployment lands on the Deployment). An owner we could not read keeps it visible.
  const dropped = new Set<Workload>();
  for (const { workload, ownerUid } of owned) {
    if (owners.has(ownerUid)) {
      dropped.add(workload);
      listing.collapsed.set(workload.kind, (listing.collapsed.get(workload.kind) ?? 0) + 1);
    }
  }
  for (const workload of listing.extraction.workloads) if (!dropped.has(workload)) listing.workloads.push(workload);
  return listing;
}

/** One line per unreadable kind, for the report's `errors`. */
export function describeUnreadable(entry: UnreadableResource): { source: string; message: string } {
  const where = entry.namespace ? `namespace ${entry.namespace}` : 'all namespaces';
  return {
    source: `cluster: ${entry.kind} in ${where}`,
    message: `not listed: forbidden (${entry.status}); findings for these objects are missing from this report`,
  };
}
