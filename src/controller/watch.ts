import { createHash } from 'node:crypto';
import { isApiStatus, type KubeApi, type WatchEvent } from '../kube/client.ts';
import { sleep } from '../shared/sleep.ts';
import {
  namespaceInScope,
  resourcePath,
  WORKLOAD_RESOURCES,
  type ClusterScope,
  type WorkloadResource,
} from '../sources/cluster.ts';

export interface ChangeWatcherOptions {
  readonly scope: ClusterScope;
  /** Called with the key (`Kind/namespace/name`) of each object whose pod template may have changed. */
  readonly onChange: (key: string) => void;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /** Watch request timeout; the server ends the stream and we re-watch from the last resourceVersion. */
  readonly timeoutSeconds?: number;
  /**
   * Object kinds whose changes also trigger a rescan, besides the workload kinds: the RBAC kinds when RBAC
   * rules run (a new binding changes what workloads can do).
   */
  readonly objects?: readonly WatchedObjectResource[];
}

/** An object kind watched for changes (not a workload): its content is fingerprinted whole. */
export interface WatchedObjectResource extends WorkloadResource {
  readonly namespaced: boolean;
}

interface Meta {
  name?: string;
  namespace?: string;
  generation?: number;
  resourceVersion?: string;
  ownerReferences?: { controller?: boolean }[];
}

/**
 * Watches every workload kind and reports keys of objects whose spec changed. It keeps no copies of the
 * objects (not an informer cache): only a fingerprint per key (generation, or a hash of the spec where
 * there is none) so that status updates, which are most events, trigger nothing. Objects that a
 * controller owns are ignored: their owner's change triggers the rescan.
 */
export class ChangeWatcher {
  private readonly api: KubeApi;
  private readonly options: ChangeWatcherOptions;
  private readonly controller = new AbortController();
  private readonly fingerprints = new Map<string, string>();
  private loops: Promise<void>[] = [];

  constructor(api: KubeApi, options: ChangeWatcherOptions) {
    this.api = api;
    this.options = options;
  }

  start(): void {
    const namespaces = this.options.scope.namespaces;
    const explicit =
      namespaces && namespaces.length > 0 && namespaces.length <= 5 && !namespaces.some((n) => /[*?]/.test(n))
        ? namespaces
        : null;
    for (const resource of WORKLOAD_RESOURCES) {
      for (const namespace of explicit ?? [null]) this.loops.push(this.loop(resource, namespace));
    }
    for (const resource of this.options.objects ?? []) {
      const targets = resource.namespaced ? (explicit ?? [null]) : [null];
      for (const namespace of targets) this.loops.push(this.loop(resource, namespace));
    }
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('watcher stopped'));
    await Promise.allSettled(this.loops);
  }

  private handle(resource: WorkloadResource, event: WatchEvent): void {
    const meta = (event.object['metadata'] ?? {}) as Meta;
    if (!meta.name) return;
    // Cluster-scoped objects (ClusterRoles, ClusterRoleBindings) matter whatever the namespace scope.
    if (meta.namespace !== undefined && !namespaceInScope(this.options.scope, meta.namespace)) return;
    if (meta.ownerReferences?.some((ref) => ref.controller)) return;
    const key = `${resource.kind}/${meta.namespace ?? ''}/${meta.name}`;
    if (event.type === 'DELETED') {
      this.fingerprints.delete(key);
      this.options.onChange(key);
      return;
    }
    // Workloads: their spec (or template). Other objects (RBAC): everything but metadata and status, plus
    // the labels, which decide ClusterRole aggregation.
    const { metadata: _metadata, status: _status, ...content } = event.object;
    const spec = WORKLOAD_RESOURCES.includes(resource)
      ? (event.object['spec'] ?? event.object['template'])
      : { content, labels: (event.object['metadata'] as { labels?: unknown } | undefined)?.labels ?? null };
    const fingerprint =
      meta.generation !== undefined && resource.kind !== 'Pod' && WORKLOAD_RESOURCES.includes(resource)
        ? `g${meta.generation}`
        : createHash('sha1')
            .update(JSON.stringify(spec ?? null))
            .digest('base64');
    const before = this.fingerprints.get(key);
    this.fingerprints.set(key, fingerprint);
    if (event.type === 'ADDED' || before !== fingerprint) this.options.onChange(key);
  }

  private async loop(resource: WorkloadResource, namespace: string | null): Promise<void> {
    const signal = this.controller.signal;
    const path = resourcePath(resource, namespace);
    const labelSelector = this.options.scope.labelSelector;
    let resourceVersion: string | undefined;
    let backoff = 1000;
    while (!signal.aborted) {
      try {
        if (!resourceVersion) {
          // Start from "now": the scans read the current state; the watch only says when it changes.
          const list = await this.api.request<{ metadata?: { resourceVersion?: string } }>('GET', path, {
            query: { limit: 1, ...(labelSelector ? { labelSelector } : {}) },
            signal,
          });
          resourceVersion = list.metadata?.resourceVersion;
        }
        await this.api.watch(
          path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.timeoutSeconds ?? 300,
            ...(labelSelector ? { labelSelector } : {}),
          },
          (event) => {
            const rv = (event.object['metadata'] as Meta | undefined)?.resourceVersion;
            if (event.type === 'ERROR') {
              const code = (event.object as { code?: number }).code;
              if (code === 410) resourceVersion = undefined; // too old: start again from now
              return;
            }
            if (rv) resourceVersion = rv;
            if (event.type !== 'BOOKMARK') this.handle(resource, event);
          },
          signal,
        );
        backoff = 1000;
      } catch (error) {
        if (signal.aborted) return;
        if (isApiStatus(error, 403)) {
          this.options.log?.('warn', 'may not watch this kind; changes to it do not trigger rescans', {
            kind: resource.kind,
            namespace,
          });
          return;
        }
        if (isApiStatus(error, 410)) resourceVersion = undefined;
        this.options.log?.('warn', 'watch failed; retrying', {
          kind: resource.kind,
          namespace,
          error: error instanceof Error ? error.message : String(error),
          retryInMs: backoff,
        });
        // Stopping ends the wait; the loop then sees the aborted signal and returns.
        await sleep(backoff, signal).catch(() => {});
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }
}
