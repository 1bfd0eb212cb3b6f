import { isApiStatus, type KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import {
  buildPolicyReports,
  DEFAULT_POLICY_REPORT_LIMITS,
  MANAGED_BY_LABEL,
  POLICY_REPORT_NAME,
  policyReportApi,
  type PolicyReportFlavour,
  type PolicyReportLimits,
} from '../report/render/openreports.ts';

export const FIELD_MANAGER = 'kube-patrol';
const SELECTOR = Object.entries(MANAGED_BY_LABEL)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

export interface PolicyReportSinkOptions {
  readonly flavours: readonly PolicyReportFlavour[];
  readonly limits: PolicyReportLimits;
  /** Warnings (a CRD not installed, a write refused); the scan goes on. */
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

export interface PolicyReportWrite {
  readonly flavour: PolicyReportFlavour;
  /** false: the kinds are not served (CRDs not installed); nothing was written. */
  readonly installed: boolean;
  readonly applied: number;
  readonly deleted: number;
  readonly failed: number;
}

interface Listed {
  readonly items: readonly { readonly metadata: { readonly name: string; readonly namespace?: string } }[];
}

/**
 * Writes the report as OpenReports and/or wgpolicyk8s PolicyReports, one object per namespace with findings
 * (server-side apply, strict field validation), and deletes the objects of namespaces that no longer have
 * any. It touches only objects named `kube-patrol` that carry kube-patrol's managed-by label. The ConfigMap
 * report stays the complete one; these are size-capped views of it for report UIs.
 */
/** The sink for the operator config's `sinks`, or undefined when no flavour is enabled. */
export function policyReportSinkFor(
  api: KubeApi,
  sinks: { readonly openReports: boolean; readonly policyReports: boolean; readonly maxResults: number },
  log: PolicyReportSinkOptions['log'],
): PolicyReportSink | undefined {
  const flavours: PolicyReportFlavour[] = [
    ...(sinks.openReports ? (['openreports'] as const) : []),
    ...(sinks.policyReports ? (['policyreports'] as const) : []),
  ];
  if (flavours.length === 0) return undefined;
  return new PolicyReportSink(api, {
    flavours,
    limits: { ...DEFAULT_POLICY_REPORT_LIMITS, maxResults: sinks.maxResults },
    log,
  });
}

export class PolicyReportSink {
  private readonly api: KubeApi;
  private readonly options: PolicyReportSinkOptions;
  /** Flavours whose CRDs were found missing, so that it is said once, not every scan. */
  private readonly missing = new Set<PolicyReportFlavour>();

  constructor(api: KubeApi, options: PolicyReportSinkOptions) {
    this.api = api;
    this.options = options;
  }

  /** `prune: false` keeps the objects of namespaces without findings (a partial scan cannot tell). */
  async write(
    report: InspectionReport,
    { prune = true }: { prune?: boolean } = {},
  ): Promise<PolicyReportWrite[]> {
    const writes: PolicyReportWrite[] = [];
    for (const flavour of this.options.flavours) {
      try {
        writes.push(await this.writeFlavour(report, flavour, prune));
      } catch (error) {
        // These are views for other tools: the ConfigMap report is written already and stays the truth.
        this.options.log(`could not write the ${flavour} objects`, {
          flavour,
          error: error instanceof Error ? error.message : String(error),
        });
        writes.push({ flavour, installed: true, applied: 0, deleted: 0, failed: 1 });
      }
    }
    return writes;
  }

  private async writeFlavour(
    report: InspectionReport,
    flavour: PolicyReportFlavour,
    prune: boolean,
  ): Promise<PolicyReportWrite> {
    const api = policyReportApi(flavour);
    const group = `/apis/${api.apiVersion}`;
    const clusterPlural = `cluster${api.plural}`;
    let existing: { namespace: string | null }[];
    try {
      const [namespaced, cluster] = await Promise.all([
        this.api.request<Listed>('GET', `${group}/${api.plural}`, { query: { labelSelector: SELECTOR } }),
        this.api.request<Listed>('GET', `${group}/${clusterPlural}`, { query: { labelSelector: SELECTOR } }),
      ]);
      existing = [
        ...namespaced.items
          .filter((o) => o.metadata.name === POLICY_REPORT_NAME)
          .map((o) => ({ namespace: o.metadata.namespace ?? null })),
        ...cluster.items
          .filter((o) => o.metadata.name === POLICY_REPORT_NAME)
          .map(() => ({ namespace: null })),
      ];
    } catch (error) {
      if (isApiStatus(error, 404)) {
        if (!this.missing.has(flavour))
          this.options.log(
            `${api.apiVersion} ${api.namespaced}/${api.cluster} are not served (CRDs not installed): not writing them`,
            {
              flavour,
            },
          );
        this.missing.add(flavour);
        return { flavour, installed: false, applied: 0, deleted: 0, failed: 0 };
      }
      throw error;
    }
    if (this.missing.delete(flavour))
      this.options.log(`${api.apiVersion} is served now: writing ${api.namespaced}s`, { flavour });

    const objects = buildPolicyReports(report, flavour, this.options.limits);
    const wanted = new Set(objects.map((o) => o.metadata.namespace ?? null));
    let applied = 0;
    let failed = 0;
    for (const object of objects) {
      const ns = object.metadata.namespace ?? null;
      const path =
        ns === null
          ? `${group}/${clusterPlural}/${POLICY_REPORT_NAME}`
          : `${group}/namespaces/${encodeURIComponent(ns)}/${api.plural}/${POLICY_REPORT_NAME}`;
      try {
        await this.api.request('PATCH', path, {
          body: object,
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: FIELD_MANAGER, force: true, fieldValidation: 'Strict' },
        });
        applied++;
      } catch (error) {
        // One namespace refused (quota, a webhook, a terminating namespace) does not stop the others.
        failed++;
        this.options.log(`could not write ${object.kind} ${ns ? `${ns}/` : ''}${POLICY_REPORT_NAME}`, {
          flavour,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    let deleted = 0;
    for (const { namespace } of existing) {
      if (!prune || wanted.has(namespace)) continue;
      const path =
        namespace === null
          ? `${group}/${clusterPlural}/${POLICY_REPORT_NAME}`
          : `${group}/namespaces/${encodeURIComponent(namespace)}/${api.plural}/${POLICY_REPORT_NAME}`;
      try {
        await this.api.request('DELETE', path);
        deleted++;
      } catch (error) {
        if (isApiStatus(error, 404)) continue;
        failed++;
        this.options.log(
          `could not delete the ${namespace ? `${api.namespaced} of ${namespace}` : api.cluster} with no findings left`,
          {
            flavour,
            error: error instanceof Error ? error.message : String(error),
          },
        );
      }
    }
    return { flavour, installed: true, applied, deleted, failed };
  }
}
