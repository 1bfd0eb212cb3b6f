// The node inspection (`scan --nodes`) on a real API server. The test control plane runs no kubelet, so the
// nodes are Node objects created by hand and the kubelet configuration is kubeadm's kube-system/kubelet-config
// ConfigMap: the source this inspection reads when no node's own configuration is available. (Hand-made
// nodes are not Ready, so no kubelet configz is asked; a real kubelet's is read in test/node/node.test.ts.)
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { InspectionReport } from '../../src/report/model.ts';
import { adminClient, createNamespace, createObject, runCli } from './support/cluster.ts';
import { applyServerSide, kustomizeUserOverlay } from './support/kustomize.ts';

const CONFIG_MAP = '/api/v1/namespaces/kube-system/configmaps/kubelet-config';

describe('scan --nodes', () => {
  const kubeconfig = inject('kubePatrolKubeconfig');
  const api = adminClient(kubeconfig);
  const suffix = Math.random().toString(36).slice(2, 8);
  const nodes = [`worker-a-${suffix}`, `worker-b-${suffix}`];

  afterAll(async () => {
    for (const name of nodes) await api.request('DELETE', `/api/v1/nodes/${name}`).catch(() => {});
    await api.request('DELETE', CONFIG_MAP).catch(() => {});
  });

  const scan = (namespace: string, extra: string[] = ['--nodes']) => {
    const result = runCli(['scan', '--kubeconfig', kubeconfig, '-n', namespace, '-o', 'json', ...extra]);
    return { ...result, report: JSON.parse(result.stdout) as InspectionReport };
  };
  const nodeFindings = (report: InspectionReport) =>
    report.findings
      .filter((f) => f.ruleId === 'kubelet-seccomp-default' && nodes.includes(f.workload.name))
      .map((f) => ({
        node: f.workload.name,
        messageId: f.messageId,
        severity: f.severity,
        source: f.data['source'],
      }))
      .sort((a, b) => a.node.localeCompare(b.node));

  it("reports each node's kubelet seccompDefault with its source, and nothing without --nodes", async () => {
    const namespace = await createNamespace(api, 'nodes');
    await createObject(api, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    });
    for (const name of nodes) await createObject(api, { apiVersion: 'v1', kind: 'Node', metadata: { name } });

    // No kubeadm ConfigMap: unknown, at info, and the pod's finding says nothing about run time.
    await api.request('DELETE', CONFIG_MAP).catch(() => {});
    const unknown = scan(namespace);
    expect(nodeFindings(unknown.report)).toEqual(
      nodes.map((node) => ({ node, messageId: 'unknown', severity: 'info', source: undefined })),
    );

    // kubeadm's ConfigMap without seccompDefault: off, read from the ConfigMap.
    await createObject(api, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubelet-config', namespace: 'kube-system' },
      data: {
        kubelet:
          'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n',
      },
    });
    const off = scan(namespace);
    expect(nodeFindings(off.report)).toEqual(
      nodes.map((node) => ({
        node,
        messageId: 'disabled',
        severity: 'low',
        source: 'kubeadm ConfigMap kube-system/kubelet-config (the cluster-wide intended default)',
      })),
    );
    const missing = off.report.findings.find((f) => f.ruleId === 'seccomp-profile-missing');
    expect(missing?.evidence?.[0]).toMatch(/^At run time: Unconfined/);
    expect(off.report.objects?.filter((o) => nodes.includes(o.name)).map((o) => o.subject)).toEqual([
      'node',
      'node',
    ]);

    // seccompDefault: true: no finding; the pod still fails PSS restricted (PSS judges the spec), and its
    // finding says it runs with RuntimeDefault.
    await api.request('PUT', CONFIG_MAP, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kubelet-config', namespace: 'kube-system' },
        data: {
          kubelet:
            'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\n',
        },
      },
    });
    const on = scan(namespace);
    expect(nodeFindings(on.report)).toEqual([]);
    const stillMissing = on.report.findings.find((f) => f.ruleId === 'seccomp-profile-missing');
    expect(stillMissing?.evidence?.[0]).toMatch(/^At run time: RuntimeDefault on nodes whose kubelet/);

    // Without --nodes: no node is read, no node rule runs.
    const plain = scan(namespace, []);
    expect(plain.report.findings.filter((f) => f.ruleId === 'kubelet-seccomp-default')).toEqual([]);
    expect(plain.report.rules.map((r) => r.id)).not.toContain('kubelet-seccomp-default');
  });
});

describe('manifests/components/nodes', () => {
  const kubeconfig = inject('kubePatrolKubeconfig');
  const api = adminClient(kubeconfig);

  it("lets the operator list nodes and read kubeadm's kubelet-config, and nothing more (real authorizer)", async () => {
    const rendered = kustomizeUserOverlay({
      resources: ['manifests'],
      components: ['manifests/components/nodes'],
    });
    expect(applyServerSide(kubeconfig, rendered.yaml).status).toBe(0);
    const can = async (
      verb: string,
      resource: string,
      namespace?: string,
      name?: string,
      subresource?: string,
    ) => {
      const review = await api.request<{ status: { allowed: boolean } }>(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: 'system:serviceaccount:kube-patrol:kube-patrol',
              groups: [
                'system:serviceaccounts',
                'system:serviceaccounts:kube-patrol',
                'system:authenticated',
              ],
              resourceAttributes: {
                verb,
                resource,
                ...(namespace ? { namespace } : {}),
                ...(name ? { name } : {}),
                ...(subresource ? { subresource } : {}),
              },
            },
          },
        },
      );
      return review.status.allowed;
    };
    expect(await can('list', 'nodes')).toBe(true);
    expect(await can('get', 'configmaps', 'kube-system', 'kubelet-config')).toBe(true);
    expect(await can('get', 'configmaps', 'kube-system', 'kubeadm-config')).toBe(false);
    expect(await can('list', 'configmaps', 'kube-system')).toBe(false);
    expect(await can('update', 'configmaps', 'kube-system', 'kubelet-config')).toBe(false);
    expect(await can('get', 'nodes', undefined, 'worker', 'proxy')).toBe(false);
    expect(await can('get', 'nodes', undefined, 'worker', 'configz')).toBe(false);
    expect(await can('update', 'nodes', undefined, 'worker')).toBe(false);
  });
});
