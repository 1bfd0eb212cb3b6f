/**
 * ServiceAccounts read besides the workloads, so that `service-account-token` can take an account's own
 * `automountServiceAccountToken: false` into account: from the same manifests, or listed from the cluster
 * (read-only). The engine sees them only through the read-only `ServiceAccountLookup`.
 */
import { anyGlobMatch } from '../engine/glob.ts';
import type { ServiceAccountInfo, ServiceAccountLookup } from '../engine/rule.ts';
import { isApiStatus, type KubeApi } from '../kube/client.ts';
import { readAllPages, resourcePath, type ClusterListOptions, type ClusterScope } from './cluster.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const NO_SETTING: ServiceAccountInfo = Object.freeze({});
const OPTS_OUT: ServiceAccountInfo = Object.freeze({ automountServiceAccountToken: false });
const OPTS_IN: ServiceAccountInfo = Object.freeze({ automountServiceAccountToken: true });

/** The ServiceAccounts of one scan, by namespace and name. */
export class ServiceAccountIndex implements ServiceAccountLookup {
  private readonly accounts = new Map<string, ServiceAccountInfo>();

  get size(): number {
    return this.accounts.size;
  }

  get(namespace: string | null, name: string): ServiceAccountInfo | undefined {
    return this.accounts.get(`${namespace ?? ''}\u0000${name}`);
  }

  /**
   * Records `object` when it is a core/v1 ServiceAccount; a `kind: List` (or `ServiceAccountList`) is
   * unpacked. `defaultKind` is the kind implied by a typed list for items that leave it out.
   */
  add(object: unknown, defaultKind?: string): void {
    if (!isRecord(object)) return;
    const kind = object['kind'] ?? defaultKind;
    const items = object['items'];
    if ((kind === 'List' || kind === 'ServiceAccountList') && Array.isArray(items)) {
      for (const item of items) this.add(item, kind === 'ServiceAccountList' ? 'ServiceAccount' : undefined);
      return;
    }
    const apiVersion = object['apiVersion'] ?? (defaultKind ? 'v1' : undefined);
    if (kind !== 'ServiceAccount' || apiVersion !== 'v1') return;
    const metadata = object['metadata'];
    if (!isRecord(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '') return;
    const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null;
    // Anything but a boolean is rejected by the API server: an account that does not opt out.
    const automount = object['automountServiceAccountToken'];
    const info = automount === false ? OPTS_OUT : automount === true ? OPTS_IN : NO_SETTING;
    this.accounts.set(`${namespace ?? ''}\u0000${metadata['name']}`, info);
  }
}

/**
 * Whether a manifest's text can hold a ServiceAccount at all (kinds are case-sensitive and spelled out,
 * or behind an anchor whose value is), so that only such files are decoded twice.
 */
export function mayHoldServiceAccount(text: string): boolean {
  return text.includes('ServiceAccount');
}

export interface ServiceAccountListing {
  readonly index: ServiceAccountIndex;
  /** Set when the credentials may not list ServiceAccounts (the scan goes on without them). */
  readonly error?: { readonly source: string; readonly message: string };
}

/**
 * Lists the ServiceAccounts of the scope's namespaces (one request per page, item by item, nothing but
 * name, namespace and the automount setting kept). A 403 is not fatal: the rule falls back to what the
 * pod spec alone says, and the report's errors say why.
 */
export async function listServiceAccounts(
  api: KubeApi,
  scope: ClusterScope,
  options: ClusterListOptions,
  stats: { requests: number; restarts: number },
): Promise<ServiceAccountListing> {
  const index = new ServiceAccountIndex();
  const include = scope.namespaces ?? [];
  const exact =
    include.length > 0 &&
    include.length <= (options.perNamespaceLimit ?? 5) &&
    !include.some((n) => /[*?]/.test(n));
  const exclude = scope.excludeNamespaces ?? [];
  const wanted = (namespace: string) =>
    anyGlobMatch(scope.namespaces, namespace) && !(exclude.length > 0 && anyGlobMatch(exclude, namespace));
  const resource = { apiVersion: 'v1', resource: 'serviceaccounts' };
  const targets: (string | null)[] = exact ? include.filter(wanted) : [null];
  try {
    for (const namespace of targets) {
      await readAllPages(api, resourcePath(resource, namespace), {}, options, stats, () => {
        // A restarted list starts over; accounts already recorded are recorded again, identically.
        return {
          page: (items) => {
            for (const item of items) {
              const ns = (item['metadata'] as { namespace?: string } | undefined)?.namespace ?? '';
              if (wanted(ns)) index.add({ apiVersion: 'v1', kind: 'ServiceAccount', ...item });
            }
          },
          done: () => undefined,
        };
      });
    }
  } catch (error) {
    if (!isApiStatus(error, 403)) throw error;
    return {
      index,
      error: {
        source: 'cluster: ServiceAccount',
        message:
          'not listed: forbidden (403); service-account-token cannot see which accounts set automountServiceAccountToken: false (grant get/list/watch on serviceaccounts, as manifests/rbac.yaml does)',
      },
    };
  }
  return { index };
}
