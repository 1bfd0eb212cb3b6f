import { anyGlobMatch } from '../engine/glob.ts';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { iterateListText } from '../kube/list-text.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../workloads/kinds.ts';
import type { Workload } from '../workloads/model.ts';
import { emptyExtraction, extractWorkloads, type Extraction } from '../workloads/extract.ts';

/** A workload kind as the API serves it. */
export type WorkloadResource = Pick<WorkloadKind, 'kind' | 'apiVersion' | 'resource'>;

/** Owners first (workloads/kinds.ts): most owned objects are dropped before they are inspected. */
export const WORKLOAD_RESOURCES: readonly WorkloadResource[] = WORKLOAD_KINDS;

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

/** One item of a collection, or the news that the list restarted and what it gave so far is void. */
export type PageEvent =
  { readonly type: 'item'; readonly item: Record<string, unknown> } | { readonly type: 'restart' };

/**
 * Reads every list page of one collection and yields its items one at a time as each page arrives (so a
 * big collection is never held whole, nor a page's parsed objects all at once). A continue token that
 * expired (410 Gone: etcd compacted the revision it pins) restarts that collection from the first page
 * after a `restart` event, so a reader can drop what the failed attempt gave and never mixes two
 * snapshots.
 */
export async function* readCollection(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string },
  options: ClusterListOptions,
  stats: { requests: number; restarts: number },
): AsyncGenerator<PageEvent, void, undefined> {
  const limit = options.pageSize ?? 500;
  const maxRestarts = options.maxRestarts ?? 3;
  for (let restart = 0; ; restart++) {
    let token: string | undefined;
    let expired = false;
    do {
      let body: ListResponse | { readonly text: string };
      try {
        stats.requests++;
        body = await api.request<ListResponse | { readonly text: string }>('GET', path, {
          query: {
            limit,
            ...(token ? { continue: token } : {}),
            ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
          },
          ...(options.signal ? { signal: options.signal } : {}),
          // The page's text comes back as it is and its items are parsed one by one below. A client that
          // ignores `parse` returns the parsed page.
          parse: (text) => ({ text }),
        });
      } catch (error) {
        if (token && isApiStatus(error, 410)) {
          expired = true;
          break;
        }
        throw error;
      }
      let page: ListResponse;
      if ('text' in body && typeof body.text === 'string') {
        const items = iterateListText(body.text);
        for (;;) {
          const next = items.next();
          if (next.done) {
            page = next.value as ListResponse;
            break;
          }
          yield { type: 'item', item: next.value };
        }
      } else {
        page = body as ListResponse;
        for (const item of page.items ?? []) yield { type: 'item', item };
      }
      token = page.metadata?.continue || undefined;
    } while (token);
    if (!expired) return;
    if (restart >= maxRestarts)
      throw new ListExpiredError(
        `${path}: the list's continue token expired ${restart + 1} times (410 Gone)`,
      );
    stats.restarts++;
    yield { type: 'restart' };
  }
}

/** Every item of one collection (see readCollection). */
export async function listAllPages(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string },
  options: ClusterListOptions,
  stats: { requests: number; restarts: number } = { requests: 0, restarts: 0 },
): Promise<Record<string, unknown>[]> {
  let items: Record<string, unknown>[] = [];
  for await (const event of readCollection(api, path, query, options, stats)) {
    if (event.type === 'item') items.push(event.item);
    else items = [];
  }
  return items;
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
  listing: Pick<ClusterListSummary, 'stats' | 'unreadable'>,
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

/** Whether a namespace is in the scope's namespaces (all when none) and not excluded. */
export function namespaceInScope(scope: ClusterScope, namespace: string): boolean {
  return anyGlobMatch(scope.namespaces, namespace) && !anyExcluded(scope, namespace);
}

/** What a listing tells besides its workloads, once it is complete. */
export interface ClusterListSummary {
  /** Objects without a pod template (by kind) and objects that could not be read as workloads. */
  readonly extraction: Pick<Extraction, 'skipped' | 'errors'>;
  readonly unreadable: UnreadableResource[];
  /** Objects left out because their controller (also read) is reported instead, by kind. */
  readonly collapsed: Map<string, number>;
  readonly stats: { requests: number; restarts: number; objects: number };
  /** Namespaces of the objects read (the report's coverage). */
  readonly namespacesSeen: Set<string>;
  /** Workload kinds with at least one list that succeeded. */
  readonly kindsListed: Set<string>;
}

/**
 * What a cluster listing yields: each workload a person may edit, under a key; the keys of workloads
 * yielded earlier that turned out not to be reported after all (a list that restarted, an object whose
 * controller was read later); and, last, the summary.
 */
export type ClusterEvent =
  | { readonly type: 'workload'; readonly key: string; readonly workload: Workload }
  | { readonly type: 'retract'; readonly keys: readonly string[] }
  | { readonly type: 'done'; readonly summary: ClusterListSummary };

/** What one attempt at reading one collection contributed; void when the list restarts or fails. */
interface CollectionAttempt {
  readonly keys: string[];
  readonly uids: [string, string][];
  readonly extraction: Extraction;
  readonly collapsed: Map<string, number>;
  readonly namespaces: Set<string>;
  objects: number;
}

const newAttempt = (): CollectionAttempt => ({
  keys: [],
  uids: [],
  extraction: emptyExtraction(),
  collapsed: new Map(),
  namespaces: new Set(),
  objects: 0,
});

/**
 * Lists every workload kind in the scope, paginated, and yields each workload as its page arrives: the
 * raw objects of a page are garbage once read, so a reader's memory follows what it keeps, not the
 * cluster's bytes. A 403 on one kind (or one namespace) is recorded in `unreadable` and the listing goes
 * on; any other failure (the API server unreachable, a 5xx after retries) throws, since a partial listing
 * would make a misleading report.
 *
 * Owned objects are collapsed onto their controller (a Pod of a ReplicaSet of a Deployment lands on the
 * Deployment) when the controller was read too; an owner we could not read keeps them visible. Owners
 * are listed first (WORKLOAD_RESOURCES), so most owned objects are never yielded; the rest are retracted
 * at the end, which gives the same workloads as collapsing after a full listing.
 */
export async function* listClusterWorkloadEvents(
  api: KubeApi,
  scope: ClusterScope,
  options: ClusterListOptions,
): AsyncGenerator<ClusterEvent, void, undefined> {
  const summary: ClusterListSummary = {
    extraction: { skipped: new Map(), errors: [] },
    unreadable: [],
    collapsed: new Map(),
    stats: { requests: 0, restarts: 0, objects: 0 },
    namespacesSeen: new Set(),
    kindsListed: new Set(),
  };
  const namespaces = await resolveNamespaces(api, scope, options, summary);
  const perNamespace = namespaces !== null && namespaces.length <= (options.perNamespaceLimit ?? 5);
  const query = scope.labelSelector ? { labelSelector: scope.labelSelector } : {};
  const owners = new Map<string, string>(); // uid → kind of every object read
  const yielded: { key: string; kind: string; ownerUid: string | undefined }[] = [];
  let anonymous = 0;
  const count = (counts: Map<string, number>, kind: string, n = 1) =>
    counts.set(kind, (counts.get(kind) ?? 0) + n);

  const commit = (done: CollectionAttempt) => {
    for (const [uid, kind] of done.uids) owners.set(uid, kind);
    for (const [kind, n] of done.extraction.skipped) count(summary.extraction.skipped, kind, n);
    for (const error of done.extraction.errors) summary.extraction.errors.push(error);
    for (const [kind, n] of done.collapsed) count(summary.collapsed, kind, n);
    summary.stats.objects += done.objects;
    for (const ns of done.namespaces) summary.namespacesSeen.add(ns);
  };
  async function* read(resource: WorkloadResource, namespace: string | null): AsyncGenerator<ClusterEvent> {
    let attempt = newAttempt();
    const pending: { key: string; kind: string; ownerUid: string | undefined }[] = [];
    try {
      const path = resourcePath(resource, namespace);
      for await (const event of readCollection(api, path, query, options, summary.stats)) {
        if (event.type === 'restart') {
          yield { type: 'retract', keys: attempt.keys };
          attempt = newAttempt();
          pending.length = 0;
          continue;
        }
        const raw = event.item;
        const metadata = raw['metadata'] as
          { namespace?: string; uid?: string; ownerReferences?: OwnerReference[] } | undefined;
        const ns = metadata?.namespace ?? '';
        if (namespaces !== null && !namespaces.includes(ns)) continue;
        if (namespaces === null && !namespaceInScope(scope, ns)) continue;
        attempt.objects++;
        attempt.namespaces.add(ns);
        if (metadata?.uid) attempt.uids.push([metadata.uid, resource.kind]);
        extractWorkloads(slim(raw, resource), { file: 'cluster', documentPath: [] }, attempt.extraction);
        const workload = attempt.extraction.workloads.pop();
        attempt.extraction.workloads.length = 0;
        if (!workload) continue;
        const ownerUid = metadata?.ownerReferences?.find((ref) => ref.controller && ref.uid)?.uid;
        if (ownerUid && owners.has(ownerUid)) {
          count(attempt.collapsed, workload.kind);
          continue;
        }
        const key = metadata?.uid ?? `${resource.kind}#${anonymous++}`;
        attempt.keys.push(key);
        pending.push({ key, kind: workload.kind, ownerUid });
        yield { type: 'workload', key, workload };
      }
    } catch (error) {
      if (attempt.keys.length > 0) yield { type: 'retract', keys: attempt.keys };
      throw error;
    }
    commit(attempt);
    summary.kindsListed.add(resource.kind);
    for (const entry of pending) yielded.push(entry);
  }
  const forbidden = (kind: string, namespace: string | null, error: unknown) =>
    summary.unreadable.push({ kind, namespace, status: 403, message: (error as Error).message });

  for (const resource of WORKLOAD_RESOURCES) {
    const targets: (string | null)[] = perNamespace ? namespaces : [null];
    for (const namespace of targets) {
      try {
        yield* read(resource, namespace);
      } catch (error) {
        if (!isApiStatus(error, 403)) throw error;
        if (namespace === null && namespaces !== null) {
          // May not list across the cluster: try the namespaces one by one (a Role per namespace).
          for (const ns of namespaces) {
            try {
              yield* read(resource, ns);
            } catch (inner) {
              if (!isApiStatus(inner, 403)) throw inner;
              forbidden(resource.kind, ns, inner);
            }
          }
        } else {
          forbidden(resource.kind, namespace, error);
        }
      }
    }
  }

  // Owned objects whose controller was listed after them.
  const late: string[] = [];
  for (const entry of yielded) {
    if (entry.ownerUid && owners.has(entry.ownerUid)) {
      count(summary.collapsed, entry.kind);
      late.push(entry.key);
    }
  }
  if (late.length > 0) yield { type: 'retract', keys: late };
  yield { type: 'done', summary };
}

export interface ClusterListing extends ClusterListSummary {
  /** What a person edits: owned objects whose owner was read are left out. */
  readonly workloads: Workload[];
}

/** Every workload a person edits in the scope, as read (see listClusterWorkloadEvents). */
export async function listClusterWorkloads(
  api: KubeApi,
  scope: ClusterScope = {},
  options: ClusterListOptions = {},
): Promise<ClusterListing> {
  const workloads = new Map<string, Workload>();
  let summary: ClusterListSummary | undefined;
  for await (const event of listClusterWorkloadEvents(api, scope, options)) {
    if (event.type === 'workload') workloads.set(event.key, event.workload);
    else if (event.type === 'retract') for (const key of event.keys) workloads.delete(key);
    else summary = event.summary;
  }
  return { ...(summary as ClusterListSummary), workloads: [...workloads.values()] };
}

/** One line per unreadable kind, for the report's `errors`. */
export function describeUnreadable(entry: UnreadableResource): { source: string; message: string } {
  const where = entry.namespace ? `namespace ${entry.namespace}` : 'all namespaces';
  return {
    source: `cluster: ${entry.kind} in ${where}`,
    message: `not listed: forbidden (${entry.status}); these objects were not inspected, and no rule concluded anything from them`,
  };
}
