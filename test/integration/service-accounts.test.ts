// `service-account-token` in cluster scans follows the ServiceAccount's own automountServiceAccountToken,
// read under the RBAC of manifests/ (a real API server and authorizer); without the verb, the scan goes
// on and says what it could not see.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  deployment,
  installOperator,
  withoutClusterRoleResource,
  runCli,
  type Obj,
} from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;

beforeAll(() => {
  admin = adminClient(adminKubeconfig);
});
afterAll(() => admin.close());

/** The shared test Deployment, with pod spec fields of its own (the service account, the automount). */
function deploymentWith(namespace: string, name: string, spec: Record<string, unknown>): Obj {
  const object = deployment(namespace, name);
  Object.assign((object['spec'] as { template: { spec: Record<string, unknown> } }).template.spec, spec);
  return object;
}

async function seed(): Promise<string> {
  const ns = await createNamespace(admin, 'sa');
  await createMany(admin, [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'quiet', namespace: ns },
      automountServiceAccountToken: false,
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'loud', namespace: ns } },
  ]);
  await createMany(admin, [
    deploymentWith(ns, 'quiet-app', { serviceAccountName: 'quiet' }),
    deploymentWith(ns, 'loud-app', { serviceAccountName: 'loud' }),
    deploymentWith(ns, 'pod-says-true', { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
  ]);
  return ns;
}

function tokenFindings(report: InspectionReport): string[] {
  return report.findings
    .filter((f) => f.ruleId === 'service-account-token')
    .map((f) => `${f.workload.name}:${f.messageId}`)
    .sort();
}

describe('service-account-token on a cluster', () => {
  it("follows the ServiceAccount's automountServiceAccountToken under the operator's RBAC", async () => {
    const ns = await seed();
    const install = await installOperator(admin, adminKubeconfig);
    const scan = runCli(['scan', '--kubeconfig', install.kubeconfig, '-n', ns, '-o', 'json']);
    expect(scan.status, scan.stderr).toBe(0);
    const report = JSON.parse(scan.stdout) as InspectionReport;
    expect(report.errors).toEqual([]);
    expect(tokenFindings(report)).toEqual(['loud-app:accountAllows', 'pod-says-true:enabled']);
  });

  it('without get/list on serviceaccounts the scan still completes, says so, and the pod spec alone decides', async () => {
    const ns = await seed();
    const install = await installOperator(
      admin,
      adminKubeconfig,
      withoutClusterRoleResource('serviceaccounts'),
    );
    const scan = runCli(['scan', '--kubeconfig', install.kubeconfig, '-n', ns, '-o', 'json']);
    expect(scan.status).toBe(2);
    const report = JSON.parse(scan.stdout) as InspectionReport;
    expect(report.errors).toEqual([
      expect.objectContaining({ source: 'cluster: ServiceAccount in all namespaces' }),
    ]);
    expect(tokenFindings(report)).toEqual([
      'loud-app:notDisabled',
      'pod-says-true:enabled',
      'quiet-app:notDisabled',
    ]);
  });
});
