import { isApiStatus, type KubeApi } from '../kube/client.ts';

/** Annotation on the operator's Lease: `<scan id> <sha256 of the report's diff base>` (ADR 0009). */
export const REPORT_DIGEST_ANNOTATION = 'kube-patrol.io/report-digest';

export interface ReportDigest {
  readonly scanId: string;
  readonly digest: string;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

const DIGEST = /^(\d{8}-\d{6}-[0-9a-f]{4}) ([0-9a-f]{64})$/;

export function parseReportDigest(value: string | undefined): ReportDigest | undefined {
  const match = value === undefined ? null : DIGEST.exec(value);
  return match ? { scanId: match[1] as string, digest: match[2] as string } : undefined;
}

/**
 * Where the operator keeps the digest of the last report it wrote: an annotation on its Lease, which
 * report writers cannot change (manifests/ grant Lease updates to the operator's ServiceAccount only, and
 * whoever can update the Lease can already stop the operator by holding it). A stored report is diffed
 * against — and may keep a critical finding from being announced as new — only when its digest matches.
 */
export class ReportDigestStore {
  private readonly api: KubeApi;
  private readonly path: string;
  private readonly collection: string;
  private readonly namespace: string;
  private readonly name: string;
  private readonly timeoutMs: number;

  constructor(api: KubeApi, namespace: string, leaseName: string, timeoutMs = 5000) {
    this.api = api;
    this.namespace = namespace;
    this.name = leaseName;
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
    this.path = `${this.collection}/${encodeURIComponent(leaseName)}`;
    this.timeoutMs = timeoutMs;
  }

  async read(signal?: AbortSignal): Promise<ReportDigest | undefined> {
    try {
      const lease = await this.api.request<LeaseObject>('GET', this.path, {
        timeoutMs: this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
      return parseReportDigest(lease.metadata.annotations?.[REPORT_DIGEST_ANNOTATION]);
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Records the digest (read-modify-write with the resourceVersion; a Lease without holder if none). */
  async record(digest: ReportDigest): Promise<void> {
    const value = `${digest.scanId} ${digest.digest}`;
    for (let attempt = 0; ; attempt++) {
      let lease: LeaseObject | undefined;
      try {
        lease = await this.api.request<LeaseObject>('GET', this.path, { timeoutMs: this.timeoutMs });
      } catch (error) {
        if (!isApiStatus(error, 404)) throw error;
      }
      try {
        if (lease) {
          const body: LeaseObject = {
            ...lease,
            metadata: {
              ...lease.metadata,
              annotations: { ...lease.metadata.annotations, [REPORT_DIGEST_ANNOTATION]: value },
            },
          };
          await this.api.request('PUT', this.path, { body, timeoutMs: this.timeoutMs });
        } else {
          await this.api.request('POST', this.collection, {
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: {
                name: this.name,
                namespace: this.namespace,
                labels: { 'app.kubernetes.io/name': 'kube-patrol' },
                annotations: { [REPORT_DIGEST_ANNOTATION]: value },
              },
              spec: {},
            },
            timeoutMs: this.timeoutMs,
          });
        }
        return;
      } catch (error) {
        // The elector renews the same Lease every few seconds: a 409 is a renew in between.
        if (!isApiStatus(error, 409) || attempt >= 5) throw error;
      }
    }
  }
}
