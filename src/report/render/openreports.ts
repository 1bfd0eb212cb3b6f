import { severityRank } from '../../engine/severity.ts';
import { workloadKind } from '../../workloads/kinds.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { yamlDocument } from './yaml.ts';

/**
 * The report as the objects that report UIs read (Policy Reporter, Headlamp, Rancher, OCM):
 * `openreports.io/v1alpha1` Report/ClusterReport, or the older `wgpolicyk8s.io/v1alpha2`
 * PolicyReport/ClusterPolicyReport, one per namespace with findings and one cluster-scoped object for
 * findings on cluster-scoped subjects (RBAC ClusterRoles, nodes). Field names and enums follow the
 * upstream CRDs (versions in docs/policy-reports.md); the integration test applies them to a real API
 * server with those CRDs installed.
 *
 * Mapping: an unexempted finding is `fail`, an exempted one `skip` with the exemption's reason; kube-patrol
 * reports only what is wrong, so it writes no `pass` and no `warn` results.
 */
export type PolicyReportFlavour = 'openreports' | 'policyreports';

export const POLICY_REPORT_SOURCE = 'kube-patrol';
/** Every object these renderers make carries it; the operator's sink touches only objects that do. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'kube-patrol' } as const;
export const TRUNCATED_ANNOTATION = 'kube-patrol.io/results-omitted';

export interface PolicyReportLimits {
  /** Results kept per object; the rest are counted in the summary and the annotation only. */
  readonly maxResults: number;
  /**
   * Bytes of results per object (their JSON), well under etcd's 1.5 MiB request limit, so a namespace of
   * many long messages cannot make an object the API server refuses.
   */
  readonly maxResultBytes: number;
}

export const DEFAULT_POLICY_REPORT_LIMITS: PolicyReportLimits = {
  maxResults: 1000,
  maxResultBytes: 768 * 1024,
};

/** A message longer than this is cut (the full text is in the ConfigMap report). */
const MAX_MESSAGE_CHARS = 2048;

const API: Readonly<
  Record<PolicyReportFlavour, { apiVersion: string; namespaced: string; cluster: string; plural: string }>
> = {
  openreports: {
    apiVersion: 'openreports.io/v1alpha1',
    namespaced: 'Report',
    cluster: 'ClusterReport',
    plural: 'reports',
  },
  policyreports: {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    namespaced: 'PolicyReport',
    cluster: 'ClusterPolicyReport',
    plural: 'policyreports',
  },
};

export function policyReportApi(flavour: PolicyReportFlavour): (typeof API)[PolicyReportFlavour] {
  return API[flavour];
}

/** The name of every object written: one per namespace, so the name need not vary. */
export const POLICY_REPORT_NAME = 'kube-patrol';

export interface PolicyReportResult {
  readonly source: string;
  readonly policy: string;
  readonly category: string;
  readonly severity: string;
  readonly result: 'fail' | 'skip';
  readonly scored: boolean;
  readonly message: string;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly resources: readonly {
    readonly apiVersion?: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
  }[];
  readonly properties: Readonly<Record<string, string>>;
}

export interface PolicyReportObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly source?: string;
  readonly configuration?: { readonly limits: { readonly maxResults: number } };
  readonly summary: {
    readonly pass: number;
    readonly fail: number;
    readonly warn: number;
    readonly error: number;
    readonly skip: number;
  };
  readonly results: readonly PolicyReportResult[];
}

function timestampOf(iso: string): { seconds: number; nanos: number } {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { seconds: 0, nanos: 0 };
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function resultOf(finding: ReportFinding, timestamp: PolicyReportResult['timestamp']): PolicyReportResult {
  const { workload } = finding;
  const apiVersion = workloadKind(workload.kind)?.apiVersion;
  const properties: Record<string, string> = { findingId: finding.id, path: finding.path };
  if (finding.container !== null) properties.container = finding.container;
  if (finding.missing) properties.missing = finding.missing;
  if (finding.pss) properties.pss = `${finding.pss.level}/${finding.pss.check}`;
  if (finding.source)
    properties.file = `${finding.source.file}${finding.source.line ? `:${finding.source.line}` : ''}`;
  if (finding.exempted) {
    properties.exemption = finding.exempted.reason;
    properties.exemptedBy = finding.exempted.by;
    if (finding.exempted.expires) properties.exemptionExpires = finding.exempted.expires;
  }
  if (finding.remediation) properties.remediation = truncate(finding.remediation);
  return {
    source: POLICY_REPORT_SOURCE,
    policy: finding.ruleId,
    category: finding.category,
    severity: finding.severity,
    result: finding.exempted ? 'skip' : 'fail',
    scored: true,
    message: truncate(finding.message),
    timestamp,
    resources: [
      {
        ...(apiVersion ? { apiVersion } : {}),
        kind: workload.kind,
        name: workload.name,
        ...(workload.namespace !== null ? { namespace: workload.namespace } : {}),
      },
    ],
    properties,
  };
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** Failing before skipped, then worst first, so a truncated object keeps what matters most. */
function byImportance(a: ReportFinding, b: ReportFinding): number {
  const exempted = Number(Boolean(a.exempted)) - Number(Boolean(b.exempted));
  return exempted || severityRank(b.severity) - severityRank(a.severity);
}

/**
 * The objects for a report: one per namespace that has findings (exempted ones included), sorted by
 * namespace, the cluster-scoped one first when there is one.
 */
export function buildPolicyReports(
  report: InspectionReport,
  flavour: PolicyReportFlavour,
  limits: PolicyReportLimits = DEFAULT_POLICY_REPORT_LIMITS,
): PolicyReportObject[] {
  const api = API[flavour];
  const timestamp = timestampOf(report.metadata.generatedAt);
  const groups = new Map<string | null, ReportFinding[]>();
  for (const finding of report.findings) {
    const ns = finding.workload.namespace;
    const group = groups.get(ns);
    if (group) group.push(finding);
    else groups.set(ns, [finding]);
  }
  const namespaces = [...groups.keys()].sort((a, b) =>
    a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return namespaces.map((ns) => {
    // Array.prototype.sort is stable, so findings keep the report's order within a rank.
    const findings = [...groups.get(ns)!].sort(byImportance);
    const results: PolicyReportResult[] = [];
    let bytes = 0;
    for (const finding of findings) {
      if (results.length >= limits.maxResults) break;
      const result = resultOf(finding, timestamp);
      const size = Buffer.byteLength(JSON.stringify(result));
      if (bytes + size > limits.maxResultBytes) break;
      bytes += size;
      results.push(result);
    }
    const omitted = findings.length - results.length;
    const skip = findings.filter((f) => f.exempted).length;
    return {
      apiVersion: api.apiVersion,
      kind: ns === null ? api.cluster : api.namespaced,
      metadata: {
        name: POLICY_REPORT_NAME,
        ...(ns !== null ? { namespace: ns } : {}),
        labels: { ...MANAGED_BY_LABEL, 'app.kubernetes.io/name': 'kube-patrol' },
        ...(omitted > 0 ? { annotations: { [TRUNCATED_ANNOTATION]: String(omitted) } } : {}),
      },
      // The older wgpolicyk8s CRD has neither field; its schema would prune them.
      ...(flavour === 'openreports'
        ? { source: POLICY_REPORT_SOURCE, configuration: { limits: { maxResults: limits.maxResults } } }
        : {}),
      // Counts of every finding, also those left out of `results` by the limits.
      summary: { pass: 0, fail: findings.length - skip, warn: 0, error: 0, skip },
      results,
    };
  });
}

/** A YAML stream of the objects, as `kubectl apply -f` reads it; empty when nothing was found. */
export function renderPolicyReports(
  report: InspectionReport,
  flavour: PolicyReportFlavour,
  limits?: PolicyReportLimits,
): string {
  return buildPolicyReports(report, flavour, limits)
    .map((object) => `---\n${yamlDocument(object)}`)
    .join('');
}
