// `scan -o openreports` and `scan -o policyreports` against the real CRDs: the upstream definitions
// (hack/tools/build.sh crds) installed on the shared control plane, and every rendered object applied with
// `kubectl apply --server-side` (strict field validation), so the API server's schema checks each field.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport, ReportFinding } from '../../src/report/model.ts';
import { buildPolicyReports, renderPolicyReports } from '../../src/report/render/openreports.ts';
import { adminClient, createMany, createNamespace, runCli, type Obj } from './support/cluster.ts';
import { applyServerSide } from './support/kustomize.ts';
import { installReportCrds } from './support/report-crds.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let namespace: string;
let report: InspectionReport;

interface Result {
  policy: string;
  result: string;
  severity: string;
  properties: Record<string, string>;
  resources: { kind: string; name: string; namespace?: string }[];
}
interface ReportObj extends Obj {
  results?: Result[];
  summary?: Record<string, number>;
}

function kubectl(args: readonly string[], input?: string) {
  return spawnSync('kubectl', ['--kubeconfig', adminKubeconfig, ...args], { encoding: 'utf8', input });
}

function getAll(resource: string, ns?: string): ReportObj[] {
  const got = kubectl(['get', resource, ...(ns ? ['-n', ns] : []), '-o', 'json']);
  expect(got.status, got.stderr).toBe(0);
  return (JSON.parse(got.stdout) as { items: ReportObj[] }).items;
}

const pod = (name: string, annotations: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, annotations },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36', securityContext: { privileged: true } }] },
});

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  installReportCrds(adminKubeconfig);
  namespace = await createNamespace(admin, 'reports');
  await createMany(admin, [
    pod('privileged'),
    pod('exempted', { 'kube-patrol.io/exempt.privileged': 'node debugging, ticket OPS-1' }),
  ]);
  const scan = runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', namespace, '-o', 'json']);
  expect(scan.stderr).toBe('');
  report = JSON.parse(scan.stdout) as InspectionReport;
  expect(report.findings.some((f) => f.exempted)).toBe(true);
});

afterAll(() => admin?.close());

const flavours = [
  { format: 'openreports', resource: 'reports.openreports.io', kind: 'Report' },
  { format: 'policyreports', resource: 'policyreports.wgpolicyk8s.io', kind: 'PolicyReport' },
] as const;

describe.each(flavours)('scan -o $format', ({ format, resource, kind }) => {
  it('prints objects the real API server accepts under strict validation, one per namespace', () => {
    const scan = runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', namespace, '-o', format]);
    expect(scan.stderr).toBe('');
    // The cluster-scoped report (the Namespace's finding) has the name the operator tests' sinks write
    // in the shared control plane: take its fields over rather than fail on their manager.
    const applied = applyServerSide(adminKubeconfig, scan.stdout, { forceConflicts: true });
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stderr).toBe('');

    const objects = getAll(resource, namespace);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`${kind}/kube-patrol`]);
    const results = objects[0]!.results!;
    // Read back as stored: nothing was pruned by the schema, so the fields are the CRD's own.
    const failing = results
      .filter((r) => r.result === 'fail')
      .map((r) => r.properties.findingId)
      .sort();
    // Findings on namespaced subjects; the Namespace's own (namespace-pss-unenforced) is cluster-scoped and
    // goes to the cluster-scoped kind (next test).
    const unexempted = report.findings
      .filter((f) => !f.exempted && f.workload.namespace !== null)
      .map((f) => f.id)
      .sort();
    expect(failing).toEqual(unexempted);
    const skipped = results.filter((r) => r.result === 'skip');
    expect(skipped.map((r) => r.properties.findingId).sort()).toEqual(
      report.findings
        .filter((f) => f.exempted)
        .map((f) => f.id)
        .sort(),
    );
    expect(skipped[0]!.properties.exemption).toBe('node debugging, ticket OPS-1');
    const privileged = results.find((r) => r.policy === 'privileged' && r.result === 'fail')!;
    expect(privileged.resources).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'privileged', namespace }]);
    expect(privileged.properties).toMatchObject({
      container: 'app',
      path: 'spec.containers[0].securityContext.privileged',
    });
    expect(objects[0]!.summary).toEqual({
      pass: 0,
      fail: failing.length,
      warn: 0,
      error: 0,
      skip: skipped.length,
    });
  });

  it('also writes the cluster-scoped kind for findings on cluster-scoped subjects', () => {
    // The scan's only cluster-scoped finding is its Namespace's (namespace-pss-unenforced); a ClusterRole
    // finding is added to the report too.
    const clusterFinding: ReportFinding = {
      ...report.findings[0]!,
      id: 'cluster-scoped-test',
      workload: { kind: 'ClusterRole', namespace: null, name: 'too-wide' },
      container: null,
      path: 'rules[0].verbs',
    };
    const withCluster = { ...report, findings: [...report.findings, clusterFinding] };
    const objects = buildPolicyReports(withCluster, format);
    expect(objects[0]!.metadata.namespace).toBeUndefined();
    const applied = applyServerSide(adminKubeconfig, renderPolicyReports(withCluster, format), {
      forceConflicts: true,
    });
    expect(applied.status, applied.stderr).toBe(0);
    const cluster = getAll(`cluster${resource}`);
    expect(cluster.map((o) => o.metadata.name)).toEqual(['kube-patrol']);
    expect(cluster[0]!.results!.map((r) => r.resources)).toEqual([
      [{ kind: 'Namespace', name: namespace }],
      [{ kind: 'ClusterRole', name: 'too-wide' }],
    ]);
  });

  it('is checked by the schema: the API server refuses a result the CRD does not allow', () => {
    // The control for the tests above: were validation off, they could not fail.
    const [object] = buildPolicyReports(report, format);
    const bad = { ...object!, results: [{ ...object!.results[0]!, result: 'broken' }] };
    const applied = applyServerSide(adminKubeconfig, stringify(bad), { forceConflicts: true });
    expect(applied.status).not.toBe(0);
    expect(applied.stderr).toMatch(/Unsupported value: "broken"/);
  });
});
