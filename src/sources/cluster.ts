import { anyGlobMatch } from '../engine/glob.ts';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { parseListText } from '../kube/list-text.ts';
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

export function resourcePath(
  resource: Pick<WorkloadResource, 'apiVersion' | 'resource'>,
  namespace: string | null,
): string {
  const base = resource.apiVersion.includes('/')
    ? `/apis/${resource.apiVersion}`
    : `/api/${resource.apiVersion}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.resource}`
    : `${base}/${resource.resource}`;
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

/** Takes the pages of one attempt at a list; a fresh one is started when the list restarts. */
export interface PageConsumer<T> {
  page(items: Record<string, unknown>[]): void;
  done(): T;
}

/**
 * Reads every list page of one collection, handing each page to the consumer as it arrives (so a big
 * collection is never held whole). A continue token that expired (410 Gone: etcd compacted the revision
 * it pins) restarts that collection from the first page with a fresh consumer, so what a consumer saw is
 * never a mix of two snapshots.
 */
export async function readAllPages<T>(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string },
  options: ClusterListOptions,
  stats: { requests: number; restarts: number },
  consumer: () => PageConsumer<T>,
): Promise<T> {
  const limit = options.pageSize ?? 500;
  const maxRestarts = options.maxRestarts ?? 3;
  for (let restart = 0; ; restart++) {
    const current = consumer();
    let token: string | undefined;
    let expired = false;
    do {
      let page: ListResponse;
      try {
        stats.requests++;
        page = await api.request<ListResponse>('GET', path, {
          query: {
            limit,
            ...(token ? { continue: token } : {}),
            ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
          },
          ...(options.signal ? { signal: options.signal } : {}),
          // Items are parsed and handed over one at a time (the page's `items` come back empty): a page's
          // objects never all live at once. A client that ignores `parse` returns them in `items`.
          parse: (text) => parseListText(text, (item) => current.page([item])),
        });
      } catch (error) {
        if (token && isApiStatus(error, 410)) {
          expired = true;
          break;
        }
        throw error;
      }
      current.page(page.items ?? []);
      token = page.metadata?.continue || undefined;
    } while (token);
    if (!expired) return current.done();
    if (restart >= maxRestarts)
      throw new ListExpiredError(
        `${path}: the list's continue token expired ${restart + 1} times (410 Gone)`,
      );
    stats.restarts++;
  }
}

/** Every item of one collection (see readAllPages). */
export function listAllPages(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string },
  options: ClusterListOptions,
  stats: { requests: number; restarts: number } = { requests: 0, restarts: 0 },
): Promise<Record<string, unknown>[]> {
  return readAllPages(api, path, query, options, stats, () => {
    const items: Record<string, unknown>[] = [];
    return { page: (page) => items.push(...page), done: () => items };
  });
}

function slim(item: Record<string, unknown>, resource: WorkloadResource): Record<string, unknown> {
  // managedFields and status are most of an object's bytes and no rule reads them.
  const metadata = item['metadata'] as Record<string, unknown> | undefined;
  if (metadata) delete metadata['managedFields'];
  delete item['status'];
  return { apiVersion: resource.apiVersion, kind: resource.kind, ...item };
}

async function resolveNamespaces(
  api: KubeApi,
  scope: ClusterScope,
  options: ClusterListOptions,
  listing: Pick<ClusterListing, 'stats' | 'unreadable'>,
): Promise<string[] | null> {
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
    listing.unreadable.push({
      kind: 'Namespace',
      namespace: null,
      status: 403,
      message: (error as Error).message,
    });
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

/** What inspectClusterWorkloads gives: one result per workload a person edits, in listing order. */
export interface ClusterInspection<R> {
  readonly results: R[];
  /** Objects without a pod template (by kind) and objects that could not be read as workloads. */
  readonly extraction: Pick<Extraction, 'skipped' | 'errors'>;
  readonly unreadable: UnreadableResource[];
  readonly collapsed: Map<string, number>;
  readonly stats: { requests: number; restarts: number; objects: number };
}

/** What one complete read of one collection contributed; dropped whole when the list restarts. */
interface CollectionBatch<R> {
  readonly entries: { result: R; kind: string; ownerUid: string | undefined }[];
  readonly uids: [string, string][];
  readonly extraction: Extraction;
  readonly collapsed: Map<string, number>;
  objects: number;
}

/**
 * Lists every workload kind in the scope, paginated, and hands each workload to `inspect` as its page
 * arrives, keeping only what `inspect` returns: the raw objects of a page are garbage once it is read, so
 * memory follows the results, not the cluster's bytes. A 403 on one kind (or one namespace) is recorded in
 * `unreadable` and the scan goes on; any other failure (the API server unreachable, a 5xx after retries)
 * rejects, since a partial listing would make a misleading report.
 *
 * Owned objects are collapsed onto their controller (a Pod of a ReplicaSet of a Deployment lands on the
 * Deployment) when the controller was read too; an owner we could not read keeps them visible. Owners
 * are listed first (WORKLOAD_RESOURCES), so most owned objects are dropped before `inspect` runs; the rest
 * are dropped at the end, which gives the same results as collapsing after a full listing.
 */
export async function inspectClusterWorkloads<R>(
  api: KubeApi,
  scope: ClusterScope,
  options: ClusterListOptions,
  inspect: (workload: Workload) => R,
): Promise<ClusterInspection<R>> {
  const inspection: ClusterInspection<R> = {
    results: [],
    extraction: { skipped: new Map(), errors: [] },
    unreadable: [],
    collapsed: new Map(),
    stats: { requests: 0, restarts: 0, objects: 0 },
  };
  const namespaces = await resolveNamespaces(api, scope, options, inspection);
  const perNamespace = namespaces !== null && namespaces.length <= (options.perNamespaceLimit ?? 5);
  const query = scope.labelSelector ? { labelSelector: scope.labelSelector } : {};
  const owners = new Map<string, string>(); // uid → kind of every object read
  const kept: { result: R; kind: string; ownerUid: string | undefined }[] = [];
  const count = (counts: Map<string, number>, kind: string, n = 1) =>
    counts.set(kind, (counts.get(kind) ?? 0) + n);

  const batch = (resource: WorkloadResource) => (): PageConsumer<CollectionBatch<R>> => {
    const current: CollectionBatch<R> = {
      entries: [],
      uids: [],
      extraction: emptyExtraction(),
      collapsed: new Map(),
      objects: 0,
    };
    return {
      page: (items) => {
        for (const raw of items) {
          const metadata = raw['metadata'] as
            { namespace?: string; uid?: string; ownerReferences?: OwnerReference[] } | undefined;
          const namespace = metadata?.namespace ?? '';
          if (namespaces !== null && !namespaces.includes(namespace)) continue;
          if (namespaces === null && !inScope(scope, namespace)) continue;
          current.objects++;
          if (metadata?.uid) current.uids.push([metadata.uid, resource.kind]);
          extractWorkloads(slim(raw, resource), { file: 'cluster', documentPath: [] }, current.extraction);
          const workload = current.extraction.workloads.pop();
          current.extraction.workloads.length = 0;
          if (!workload) continue;
          const ownerUid = metadata?.ownerReferences?.find((ref) => ref.controller && ref.uid)?.uid;
          if (ownerUid && owners.has(ownerUid)) count(current.collapsed, workload.kind);
          else current.entries.push({ result: inspect(workload), kind: workload.kind, ownerUid });
        }
      },
      done: () => current,
    };
  };
  const commit = (done: CollectionBatch<R>) => {
    for (const [uid, kind] of done.uids) owners.set(uid, kind);
    for (const entry of done.entries) kept.push(entry);
    for (const [kind, n] of done.extraction.skipped) count(inspection.extraction.skipped, kind, n);
    for (const error of done.extraction.errors) inspection.extraction.errors.push(error);
    for (const [kind, n] of done.collapsed) count(inspection.collapsed, kind, n);
    inspection.stats.objects += done.objects;
  };
  const read = async (resource: WorkloadResource, namespace: string | null) =>
    commit(
      await readAllPages(
        api,
        resourcePath(resource, namespace),
        query,
        options,
        inspection.stats,
        batch(resource),
      ),
    );

  for (const resource of WORKLOAD_RESOURCES) {
    const targets: (string | null)[] = perNamespace ? namespaces : [null];
    for (const namespace of targets) {
      try {
        await read(resource, namespace);
      } catch (error) {
        if (!isApiStatus(error, 403)) throw error;
        if (namespace === null && namespaces !== null) {
          // May not list across the cluster: try the namespaces one by one (a Role per namespace).
          for (const ns of namespaces) {
            try {
              await read(resource, ns);
            } catch (inner) {
              if (!isApiStatus(inner, 403)) throw inner;
              inspection.unreadable.push({
                kind: resource.kind,
                namespace: ns,
                status: 403,
                message: (inner as Error).message,
              });
            }
          }
        } else {
          inspection.unreadable.push({
            kind: resource.kind,
            namespace,
            status: 403,
            message: (error as Error).message,
          });
        }
      }
    }
  }

  // Owned objects whose controller was listed after them.
  for (const entry of kept) {
    if (entry.ownerUid && owners.has(entry.ownerUid)) count(inspection.collapsed, entry.kind);
    else inspection.results.push(entry.result);
  }
  return inspection;
}

/** Every workload a person edits in the scope, as read (see inspectClusterWorkloads). */
export async function listClusterWorkloads(
  api: KubeApi,
  scope: ClusterScope = {},
  options: ClusterListOptions = {},
): Promise<ClusterListing> {
  const { results, extraction, ...rest } = await inspectClusterWorkloads(
    api,
    scope,
    options,
    (workload) => workload,
  );
  return { ...rest, workloads: results, extraction: { ...extraction, workloads: results } };
}

/** One line per unreadable kind, for the report's `errors`. */
export function describeUnreadable(entry: UnreadableResource): { source: string; message: string } {
  const where = entry.namespace ? `namespace ${entry.namespace}` : 'all namespaces';
  return {
    source: `cluster: ${entry.kind} in ${where}`,
    message: `not listed: forbidden (${entry.status}); findings for these objects are missing from this report`,
  };
}
