// The operator's report sinks (`sinks: {openReports, policyReports}`) on the shared control plane with the
// upstream CRDs installed, run as the ServiceAccount of manifests/ plus the report-sinks component's RBAC
// (never as admin): the objects it writes pass the API server's schema validation, match the ConfigMap
// report, and go away when a namespace has no findings left.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { repoRoot } from '../harness/controlplane.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  installOperator,
  runCli,
  subjectCan,
  writeConfig,
  type Obj,
} from './support/cluster.ts';
import { installReportCrds } from './support/report-crds.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let dir: string;

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  dir = await mkdtemp(join(tmpdir(), 'kp-sinks-it-'));
  installReportCrds(adminKubeconfig);
});

afterAll(() => admin?.close());

/** The component's ClusterRole and binding, renamed and rebound to the ServiceAccount of `namespace`. */
function sinkRbac(namespace: string): Obj[] {
  const file = join(repoRoot, 'manifests', 'components', 'report-sinks', 'rbac.yaml');
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    const o = doc.toJS() as Obj;
    o.metadata.name = `${o.metadata.name}-${namespace}`;
    if (o.kind === 'ClusterRoleBinding') {
      (o['roleRef'] as { name: string }).name = o.metadata.name;
      (o['subjects'] as { namespace: string }[])[0]!.namespace = namespace;
    }
    return o;
  });
}

const pod = (namespace: string, name: string, annotations: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, annotations },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36', securityContext: { privileged: true } }] },
});

interface Result {
  policy: string;
  result: string;
  properties: Record<string, string>;
}
interface Listed {
  items: (Obj & { results: Result[]; summary: Record<string, number> })[];
}

const list = (path: string) =>
  admin.request<Listed>('GET', path, {
    query: { labelSelector: 'app.kubernetes.io/managed-by=kube-patrol' },
  });

describe('operator with sinks: {openReports: true, policyReports: true}', () => {
  it('writes one report per namespace whose failing results are the ConfigMap report’s unexempted findings', async () => {
    const [shop, batch] = [await createNamespace(admin, 'shop'), await createNamespace(admin, 'batch')];
    await createMany(admin, [
      pod(shop, 'web'),
      pod(shop, 'debug', { 'kube-patrol.io/exempt.privileged': 'incident OPS-7' }),
      pod(batch, 'nightly'),
    ]);
    let operatorNamespace = '';
    const install = await installOperator(admin, adminKubeconfig, (objects) => {
      operatorNamespace = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
      return [...objects, ...sinkRbac(operatorNamespace)];
    });
    const config = await writeConfig(dir, {
      scope: { namespaces: [shop, batch] },
      sinks: { openReports: true, policyReports: true },
    });
    const args = ['--kubeconfig', install.kubeconfig, '-n', install.namespace];
    const once = runCli(['operator', '--once', '--config', config, ...args]);
    expect(once.status, once.stdout + once.stderr).toBe(0);
    expect(once.stdout).not.toMatch(/could not (write|delete)|not served/);

    const got = runCli(['report', 'get', '-o', 'json', ...args]);
    expect(got.status, got.stderr).toBe(0);
    const report = JSON.parse(got.stdout) as InspectionReport;

    for (const path of [
      '/apis/openreports.io/v1alpha1/reports',
      '/apis/wgpolicyk8s.io/v1alpha2/policyreports',
    ]) {
      const objects = (await list(path)).items.filter((o) => [shop, batch].includes(o.metadata.namespace!));
      expect(objects.map((o) => o.metadata.namespace).sort()).toEqual([batch, shop].sort());
      for (const object of objects) {
        const ns = object.metadata.namespace!;
        const inNs = report.findings.filter((f) => f.workload.namespace === ns);
        const ids = (result: string) =>
          object.results
            .filter((r) => r.result === result)
            .map((r) => r.properties.findingId)
            .sort();
        expect(ids('fail')).toEqual(
          inNs
            .filter((f) => !f.exempted)
            .map((f) => f.id)
            .sort(),
        );
        expect(ids('skip')).toEqual(
          inNs
            .filter((f) => f.exempted)
            .map((f) => f.id)
            .sort(),
        );
        expect(object.summary['fail']).toBe(inNs.filter((f) => !f.exempted).length);
      }
      const shopSkip = objects
        .find((o) => o.metadata.namespace === shop)!
        .results.find((r) => r.result === 'skip')!;
      expect(shopSkip.properties.exemption).toBe('incident OPS-7');
    }

    // batch has no findings any more: its reports are deleted on the next scan, shop's stay.
    await admin.request('DELETE', `/api/v1/namespaces/${batch}/pods/nightly`, {
      query: { gracePeriodSeconds: 0 },
    });
    const again = runCli(['operator', '--once', '--config', config, ...args]);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    for (const path of [
      '/apis/openreports.io/v1alpha1/reports',
      '/apis/wgpolicyk8s.io/v1alpha2/policyreports',
    ]) {
      const namespaces = (await list(path)).items.map((o) => o.metadata.namespace);
      expect(namespaces).toContain(shop);
      expect(namespaces).not.toContain(batch);
    }
  });

  it('has exactly the verbs the sink uses on the report kinds, asked of the real authorizer', async () => {
    const install = await installOperator(admin, adminKubeconfig, (objects) => [
      ...objects,
      ...sinkRbac(objects.find((o) => o.kind === 'Namespace')!.metadata.name),
    ]);
    const serviceAccount = {
      user: `system:serviceaccount:${install.namespace}:kube-patrol`,
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${install.namespace}`,
        'system:authenticated',
      ],
    };
    const allowed = (group: string, resource: string, verb: string) =>
      subjectCan(admin, serviceAccount, {
        group,
        resource,
        verb,
        ...(resource.startsWith('cluster') ? {} : { namespace: 'any-ns' }),
      });
    for (const [group, resources] of [
      ['openreports.io', ['reports', 'clusterreports']],
      ['wgpolicyk8s.io', ['policyreports', 'clusterpolicyreports']],
    ] as const)
      for (const resource of resources)
        for (const verb of [
          'get',
          'list',
          'watch',
          'create',
          'update',
          'patch',
          'delete',
          'deletecollection',
        ])
          expect(`${resource} ${verb}: ${await allowed(group, resource, verb)}`).toBe(
            `${resource} ${verb}: ${['list', 'create', 'patch', 'delete'].includes(verb)}`,
          );
  });
});
