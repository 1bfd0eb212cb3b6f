// The seccomp-profile-* rules on a real API server: a cluster without the Security Profiles Operator's CRD
// scans as before (no error, nothing concluded), then with the CRD installed (a minimal stand-in with the
// real group, version and names) a weak SeccompProfile and a workload naming a missing one are found.
import { describe, expect, inject, it } from 'vitest';
import type { InspectionReport } from '../../src/report/model.ts';
import { adminClient, createNamespace, createObject, runCli, type Obj } from './support/cluster.ts';

const GROUP = 'security-profiles-operator.x-k8s.io';

function deployment(namespace: string, name: string, localhostProfile: string): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: { seccompProfile: { type: 'Localhost', localhostProfile } },
          containers: [{ name, image: `shop/${name}:1.0.0` }],
        },
      },
    },
  };
}

function seccompProfile(namespace: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: `${GROUP}/v1beta1`, kind: 'SeccompProfile', metadata: { name, namespace }, spec };
}

describe('SeccompProfiles in a cluster', () => {
  const kubeconfig = inject('kubePatrolKubeconfig');
  const api = adminClient(kubeconfig);

  const scan = (namespace: string) => {
    const result = runCli(['scan', '--kubeconfig', kubeconfig, '-n', namespace, '-o', 'json']);
    return { ...result, report: JSON.parse(result.stdout) as InspectionReport };
  };
  const seccompFindings = (report: InspectionReport) =>
    report.findings
      .filter((f) => f.ruleId === 'seccomp-profile-weak' || f.ruleId === 'seccomp-profile-not-found')
      .map((f) => ({ ruleId: f.ruleId, kind: f.workload.kind, name: f.workload.name, path: f.path }))
      .sort((a, b) => a.name.localeCompare(b.name));

  it('reads SeccompProfiles when the CRD is served and finds weak and missing profiles', async () => {
    const namespace = await createNamespace(api, 'spo');
    await createObject(api, deployment(namespace, 'api', `operator/${namespace}/missing.json`));
    await createObject(api, deployment(namespace, 'web', `operator/${namespace}/web.json`));

    // Without the CRD, listing SeccompProfiles answers 404: not an error, and nothing is concluded.
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/seccompprofiles.${GROUP}`;
    const crdInstalled = await api.request('GET', crdPath).then(
      () => true,
      () => false,
    );
    if (!crdInstalled) {
      const before = scan(namespace);
      expect(before.report.errors).toEqual([]);
      expect(seccompFindings(before.report)).toEqual([]);
      await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
        body: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: `seccompprofiles.${GROUP}` },
          spec: {
            group: GROUP,
            scope: 'Namespaced',
            names: {
              plural: 'seccompprofiles',
              singular: 'seccompprofile',
              kind: 'SeccompProfile',
              listKind: 'SeccompProfileList',
            },
            versions: [
              {
                name: 'v1beta1',
                served: true,
                storage: true,
                schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            ],
          },
        },
      });
    }
    const collection = `/apis/${GROUP}/v1beta1/namespaces/${namespace}/seccompprofiles`;
    const create = async (body: unknown) => {
      // The CRD takes a moment to be served after it is created.
      for (let attempt = 0; ; attempt++) {
        try {
          await api.request('POST', collection, { body });
          return;
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    await create(
      seccompProfile(namespace, 'web', {
        defaultAction: 'SCMP_ACT_ERRNO',
        baseProfileName: 'runc-v1.1.5',
        syscalls: [{ action: 'SCMP_ACT_ALLOW', names: ['accept4'] }],
      }),
    );
    await create(
      seccompProfile(namespace, 'deny-list', {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ action: 'SCMP_ACT_ERRNO', names: ['keyctl'] }],
      }),
    );

    const after = scan(namespace);
    expect(after.report.errors).toEqual([]);
    expect(seccompFindings(after.report)).toEqual([
      {
        ruleId: 'seccomp-profile-not-found',
        kind: 'Deployment',
        name: 'api',
        path: 'spec.template.spec.securityContext.seccompProfile.localhostProfile',
      },
      {
        ruleId: 'seccomp-profile-weak',
        kind: 'SeccompProfile',
        name: 'deny-list',
        path: 'spec.defaultAction',
      },
    ]);
  });
});
