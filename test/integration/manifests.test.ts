// manifests/ as a user installs it: `kubectl kustomize` of the base, the Prometheus component and the kind
// overlay; `kubectl apply --server-side` of every object to the real API server (the base verbatim, in
// namespace kube-patrol, with its Pod Security labels enforced by the real admission plugin); kube-patrol's
// own scan of what it ships; and the RBAC of the ServiceAccount asked of the real authorizer.
// The operator running under that RBAC is in operator.test.ts and image-entrypoint.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfigFile } from '../../src/config/load.ts';
import { operatorConfigSchema } from '../../src/config/operator.ts';
import { isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import { REGISTRY } from '../support/registry.ts';
import { authorize, serviceAccountIdentity } from '../../src/rbac/authorize.ts';
import { serviceAccountFindings } from '../../src/rbac/powers.ts';
import { buildRbacIndex } from '../../src/rbac/rbac-index.ts';
import { isRbacObject, parseRbacObject } from '../../src/rbac/schema.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { repoRoot } from '../harness/controlplane.ts';
import { adminClient, runCli, subjectCan, type Obj } from './support/cluster.ts';
import { applyServerSide, kustomize, kustomizeUserOverlay, type Rendered } from './support/kustomize.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const NAMESPACE = 'kube-patrol';
const SERVICE_ACCOUNT = `system:serviceaccount:${NAMESPACE}:kube-patrol`;
let admin: KubeClient;
let base: Rendered;
let dir: string;

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  base = kustomize('manifests');
  dir = await mkdtemp(join(tmpdir(), 'kp-manifests-it-'));
});

afterAll(() => {
  admin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const kinds = (objects: readonly Obj[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const only = <T extends Obj>(objects: readonly Obj[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
type RoleObj = Obj & { rules: Rule[] };

describe('kubectl kustomize', () => {
  it('builds the base: the namespace, RBAC, config, Deployment and metrics Service, all in kube-patrol', () => {
    expect(kinds(base.objects)).toEqual([
      'ClusterRole/kube-patrol-reader',
      'ClusterRoleBinding/kube-patrol-reader',
      'ConfigMap/kube-patrol-config',
      'Deployment/kube-patrol',
      'Namespace/kube-patrol',
      'Role/kube-patrol',
      'RoleBinding/kube-patrol',
      'Service/kube-patrol-metrics',
      'ServiceAccount/kube-patrol',
    ]);
    for (const object of base.objects) {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind);
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(
        clusterScoped ? undefined : NAMESPACE,
      );
    }
  });

  it('the Prometheus component adds one ServiceMonitor that selects the metrics Service and its port', () => {
    const withMonitor = kustomizeUserOverlay({
      resources: ['manifests'],
      components: ['manifests/components/prometheus'],
    });
    expect(kinds(withMonitor.objects)).toEqual(
      [
        ...kinds(base.objects),
        'ServiceMonitor/kube-patrol',
        'PrometheusRule/kube-patrol',
        'ConfigMap/kube-patrol-dashboard',
      ].sort(),
    );
    const [monitor] = only<
      Obj & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          endpoints: { port: string; path: string }[];
        };
      }
    >(withMonitor.objects, 'ServiceMonitor');
    expect(monitor!.apiVersion).toBe('monitoring.coreos.com/v1');
    const services = only<Obj & { spec: { ports: { name: string }[] } }>(
      withMonitor.objects,
      'Service',
    ).filter(
      (s) =>
        s.metadata.namespace === monitor!.metadata.namespace &&
        Object.entries(monitor!.spec.selector.matchLabels).every(
          ([k, v]) => (s.metadata['labels'] as Record<string, string>)[k] === v,
        ),
    );
    expect(services.map((s) => s.metadata.name)).toEqual(['kube-patrol-metrics']);
    expect(services[0]!.spec.ports.map((p) => p.name)).toContain(monitor!.spec.endpoints[0]!.port);
    expect(monitor!.spec.endpoints[0]!.path).toBe('/metrics');
  });

  it('the kind overlay deploys the image `make image` builds, and changes nothing else', () => {
    const kind = kustomize('hack/kind');
    const image = (rendered: Rendered) =>
      only<Obj & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
        rendered.objects,
        'Deployment',
      )[0]!.spec.template.spec.containers[0]!.image;
    const makefileImage = /^IMAGE \?= (\S+)$/m.exec(readFileSync(join(repoRoot, 'Makefile'), 'utf8'))?.[1];
    expect(image(kind)).toBe(makefileImage);
    expect(image(base)).toMatch(/^ghcr\.io\/kube-patrol\/kube-patrol:\d+\.\d+\.\d+$/);
    expect(kind.yaml.replace(image(kind), image(base))).toBe(base.yaml);
  });

  it("the operator guide's example overlay builds: its config, its image, the ServiceMonitor", async () => {
    // The guide's files, in `my-kube-patrol/` beside a clone `kube-patrol/` (here a link to this repo).
    const guide = readFileSync(join(repoRoot, 'docs/operator-guide.md'), 'utf8');
    const files = [...guide.matchAll(/```yaml\n# (my-kube-patrol\/[\w.-]+)\n([\s\S]*?)```/g)].map((m) => ({
      path: m[1]!,
      text: m[2]!,
    }));
    expect(files.map((f) => f.path).sort()).toEqual([
      'my-kube-patrol/config.yaml',
      'my-kube-patrol/kustomization.yaml',
    ]);
    const root = await mkdtemp(join(tmpdir(), 'kp-guide-'));
    symlinkSync(repoRoot, join(root, 'kube-patrol'));
    await mkdir(join(root, 'my-kube-patrol'));
    for (const file of files) await writeFile(join(root, file.path), file.text);
    const rendered = spawnSync('kubectl', ['kustomize', join(root, 'my-kube-patrol')], { encoding: 'utf8' });
    rmSync(root, { recursive: true, force: true }); // removes the link, not the repo
    expect(rendered.status, rendered.stderr).toBe(0);
    const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Obj);
    expect(kinds(objects)).toEqual(
      [
        ...kinds(base.objects),
        'ServiceMonitor/kube-patrol',
        'PrometheusRule/kube-patrol',
        'ConfigMap/kube-patrol-dashboard',
      ].sort(),
    );
    const configMap = objects.find((o) => o.metadata.name === 'kube-patrol-config') as Obj & {
      data: Record<string, string>;
    };
    expect(configMap.data['config.yaml']).toBe(files.find((f) => f.path.endsWith('config.yaml'))!.text);
    // The operator accepts it (it exits 2 on an invalid config).
    await writeFile(join(dir, 'rendered-config.yaml'), configMap.data['config.yaml']!);
    const config = await loadConfigFile(
      join(dir, 'rendered-config.yaml'),
      REGISTRY.knownIds,
      operatorConfigSchema,
    );
    expect(config.watch).toBe(true);
    expect(rendered.stdout).toContain('image: registry.example.com/kube-patrol:0.1.0');
    await writeFile(join(dir, 'guide.yaml'), rendered.stdout);
    const scan = runCli(['scan', join(dir, 'guide.yaml'), '--fail-on', 'low']);
    expect(scan.status, scan.stdout + scan.stderr).toBe(0);
  });
});

describe('kubectl apply --server-side to the real API server', () => {
  it('applies every object of the base verbatim, with no Pod Security warning, and reads each back', () => {
    const applied = applyServerSide(adminKubeconfig, base.yaml);
    expect(applied.status, applied.stderr).toBe(0);
    // The namespace warns on (and enforces) restricted: a Deployment that would violate it prints a Warning.
    expect(applied.stderr).not.toMatch(/warning/i);
    expect(applied.stdout.trim().split('\n')).toHaveLength(base.objects.length);
    const got = spawnSync('kubectl', ['--kubeconfig', adminKubeconfig, 'get', '-f', '-', '-o', 'name'], {
      input: base.yaml,
      encoding: 'utf8',
    });
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout.trim().split('\n')).toHaveLength(base.objects.length);
    // Applying again changes nothing and still succeeds (what `kubectl apply -k` does on upgrade).
    expect(applyServerSide(adminKubeconfig, base.yaml).status).toBe(0);
  });

  it('the namespace enforces restricted: the operator pod is admitted, a default pod is refused', async () => {
    applyServerSide(adminKubeconfig, base.yaml);
    const [deployment] = only<
      Obj & { spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } } }
    >(base.objects, 'Deployment');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...deployment!.spec.template.metadata, name: 'kube-patrol-admission-check' },
      spec: deployment!.spec.template.spec,
    };
    const create = (body: unknown) =>
      admin.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, { query: { dryRun: 'All' }, body });
    await expect(create(pod)).resolves.toMatchObject({ metadata: { name: 'kube-patrol-admission-check' } });
    const plain = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'plain' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    const refused = await create(plain).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isApiStatus(refused, 403), String(refused)).toBe(true);
    expect((refused as Error).message).toContain('violates PodSecurity "restricted:latest"');
  });

  it('the Prometheus component applies once the ServiceMonitor and PrometheusRule CRDs are installed', async () => {
    for (const [plural, kind] of [
      ['servicemonitors', 'ServiceMonitor'],
      ['prometheusrules', 'PrometheusRule'],
    ] as const) {
      // A minimal stand-in for the Prometheus Operator's CRD: same group, version, kind and scope.
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.monitoring.coreos.com` },
        spec: {
          group: 'monitoring.coreos.com',
          scope: 'Namespaced',
          names: {
            plural,
            singular: kind.toLowerCase(),
            kind,
            listKind: `${kind}List`,
          },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      };
      expect(applyServerSide(adminKubeconfig, JSON.stringify(crd)).status).toBe(0);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = await admin.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        if (status.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`${kind} CRD not established within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const withMonitor = kustomizeUserOverlay({
      resources: ['manifests'],
      components: ['manifests/components/prometheus'],
    });
    // Discovery may lag the Established condition by a moment.
    let applied = applyServerSide(adminKubeconfig, withMonitor.yaml);
    for (
      let i = 0;
      i < 20 &&
      applied.status !== 0 &&
      /no matches for kind "(ServiceMonitor|PrometheusRule)"/.test(applied.stderr);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 500));
      applied = applyServerSide(adminKubeconfig, withMonitor.yaml);
    }
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('servicemonitor.monitoring.coreos.com/kube-patrol serverside-applied');
    expect(applied.stdout).toContain('prometheusrule.monitoring.coreos.com/kube-patrol serverside-applied');
    const stored = await admin.request<{ spec: { endpoints: { port: string }[] } }>(
      'GET',
      `/apis/monitoring.coreos.com/v1/namespaces/${NAMESPACE}/servicemonitors/kube-patrol`,
    );
    expect(stored.spec.endpoints[0]!.port).toBe('metrics');
  });
});

describe('kube-patrol scan of its own manifests', () => {
  const scan = async (rendered: Rendered, name: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, rendered.yaml);
    const result = runCli(['scan', file, '-o', 'json', '--fail-on', 'low']);
    return {
      status: result.status,
      stderr: result.stderr,
      report: JSON.parse(result.stdout) as InspectionReport,
    };
  };

  it('reports no unexempted finding, at any severity, for the base and the overlays', async () => {
    const renderings: [string, Rendered][] = [
      ['base', base],
      ['kind', kustomize('hack/kind')],
      [
        'prometheus',
        kustomizeUserOverlay({ resources: ['manifests'], components: ['manifests/components/prometheus'] }),
      ],
    ];
    for (const [name, rendered] of renderings) {
      const { status, stderr, report } = await scan(rendered, name);
      expect(
        report.findings.filter((f) => !f.exempted),
        name,
      ).toEqual([]);
      expect(report.errors, name).toEqual([]);
      expect(report.summary, name).toMatchObject({ workloads: 1, findings: 0, score: 100 });
      expect(status, `${name}: ${stderr}`).toBe(0);
    }
  });

  it('every exemption in them is used, by annotation, and gives a real reason', async () => {
    const { report } = await scan(base, 'base');
    const annotations = base.objects
      .flatMap((object) => {
        const template = (
          object['spec'] as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
        )?.template;
        return [object.metadata['annotations'], template?.metadata?.annotations].flatMap((a) =>
          Object.entries((a ?? {}) as Record<string, string>),
        );
      })
      .filter(([key]) => key.startsWith('kube-patrol.io/exempt.'));
    expect(annotations.length).toBeGreaterThan(0);
    for (const [key, reason] of annotations) {
      const rule = key.slice('kube-patrol.io/exempt.'.length).split('.')[0]!;
      const exempted = report.findings.filter((f) => f.ruleId === rule && f.exempted);
      expect(exempted.length, `${key} exempts no finding: remove it`).toBeGreaterThan(0);
      expect(exempted.every((f) => f.exempted!.by === 'annotation' && f.exempted!.reason === reason)).toBe(
        true,
      );
      // A reason a reviewer can check: says what needs it and why, not a placeholder.
      expect(reason.split(/\s+/).length, `${key}: "${reason}"`).toBeGreaterThanOrEqual(6);
      expect(reason).not.toMatch(/\b(todo|tbd|fixme|n\/a|none|temporary|later)\b/i);
    }
    // Nothing else is exempted: every exempted finding comes from one of those annotations.
    expect(
      report.findings.every((f) =>
        annotations.some(([key]) => key.startsWith(`kube-patrol.io/exempt.${f.ruleId}`)),
      ),
    ).toBe(true);
  });
});

describe('RBAC of the ServiceAccount', () => {
  it('grants no wildcard, no Secrets, and only reads outside its namespace', () => {
    const roles = [...only<RoleObj>(base.objects, 'ClusterRole'), ...only<RoleObj>(base.objects, 'Role')];
    for (const role of roles) {
      for (const rule of role.rules) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs])
          expect(field, `${role.kind}/${role.metadata.name}`).not.toContain('*');
        expect(rule.resources).not.toContain('secrets');
        if (role.kind === 'ClusterRole')
          expect(['get', 'list', 'watch']).toEqual(expect.arrayContaining(rule.verbs));
      }
    }
    for (const role of only<RoleObj>(base.objects, 'Role')) expect(role.metadata.namespace).toBe(NAMESPACE);
    // Cluster-wide bindings only to the read-only ClusterRole.
    for (const binding of only<Obj & { roleRef: { kind: string; name: string } }>(
      base.objects,
      'ClusterRoleBinding',
    ))
      expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'kube-patrol-reader' });
  });

  it('the real authorizer (SubjectAccessReview) allows what the operator needs and refuses the rest', async () => {
    applyServerSide(adminKubeconfig, base.yaml);
    // kube-patrol's own authorizer over the manifests must give the server's answer to every question,
    // and its detectors find no dangerous power in the operator's own account.
    const index = buildRbacIndex(
      base.objects.filter(isRbacObject).map((o) => {
        const parsed = parseRbacObject(o);
        if (!parsed.ok) throw new Error(parsed.error);
        return parsed.object;
      }),
    );
    expect(serviceAccountFindings(index, NAMESPACE, 'kube-patrol')).toEqual([]);
    const can = async (
      verb: string,
      resource: string,
      namespace?: string,
      group = '',
      subresource?: string,
    ) => {
      const allowed = await subjectCan(
        admin,
        {
          user: SERVICE_ACCOUNT,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`, 'system:authenticated'],
        },
        {
          verb,
          group,
          resource,
          ...(namespace ? { namespace } : {}),
          ...(subresource ? { subresource } : {}),
        },
      );
      const ours = authorize(index, serviceAccountIdentity(NAMESPACE, 'kube-patrol'), {
        kind: 'resource',
        verb,
        apiGroup: group,
        resource,
        subresource: subresource ?? '',
        namespace: namespace ?? '',
      });
      expect(ours.allowed, `kube-patrol's authorizer on ${verb} ${resource}`).toBe(allowed);
      return allowed;
    };
    const needed: [string, string, string | undefined, string?][] = [
      ['list', 'pods', undefined],
      ['watch', 'deployments', undefined, 'apps'],
      ['list', 'cronjobs', 'shop', 'batch'],
      ['list', 'namespaces', undefined],
      ['list', 'replicasets', undefined, 'apps'],
      ['list', 'statefulsets', 'shop', 'apps'],
      ['list', 'daemonsets', undefined, 'apps'],
      ['list', 'jobs', undefined, 'batch'],
      ['list', 'replicationcontrollers', undefined],
      ['list', 'podtemplates', undefined],
      ['list', 'seccompprofiles', undefined, 'security-profiles-operator.x-k8s.io'],
      // service-account-token reads each account's automountServiceAccountToken.
      ['list', 'serviceaccounts', undefined],
      ['watch', 'serviceaccounts', undefined],
      ['get', 'serviceaccounts', 'shop'],
      ['list', 'clusterroles', undefined, 'rbac.authorization.k8s.io'],
      ['watch', 'clusterrolebindings', undefined, 'rbac.authorization.k8s.io'],
      ['list', 'roles', undefined, 'rbac.authorization.k8s.io'],
      ['get', 'rolebindings', 'shop', 'rbac.authorization.k8s.io'],
      ['create', 'configmaps', NAMESPACE],
      ['update', 'configmaps', NAMESPACE],
      ['delete', 'configmaps', NAMESPACE],
      ['create', 'leases', NAMESPACE, 'coordination.k8s.io'],
      ['update', 'leases', NAMESPACE, 'coordination.k8s.io'],
      ['create', 'events', NAMESPACE],
    ];
    for (const [verb, resource, namespace, group] of needed)
      expect(
        await can(verb, resource, namespace, group),
        `${verb} ${resource} in ${namespace ?? 'all namespaces'}`,
      ).toBe(true);

    const refused: [string, string, string | undefined, string?, string?][] = [
      ['get', 'secrets', NAMESPACE],
      ['list', 'secrets', undefined],
      ['watch', 'secrets', 'kube-system'],
      ['create', 'configmaps', 'default'],
      ['update', 'configmaps', 'kube-system'],
      ['list', 'configmaps', undefined],
      ['update', 'leases', 'kube-system', 'coordination.k8s.io'],
      ['create', 'events', 'default'],
      ['create', 'pods', NAMESPACE],
      ['create', 'pods', 'default'],
      ['create', 'pods', NAMESPACE, '', 'exec'],
      ['get', 'pods', 'default', '', 'log'],
      ['update', 'deployments', NAMESPACE, 'apps'],
      ['patch', 'deployments', 'default', 'apps'],
      ['delete', 'namespaces', undefined],
      ['create', 'jobs', 'default', 'batch'],
      ['create', 'serviceaccounts', NAMESPACE, '', 'token'],
      ['create', 'serviceaccounts', 'shop', '', 'token'],
      ['create', 'serviceaccounts', NAMESPACE],
      ['update', 'serviceaccounts', 'default'],
      ['patch', 'serviceaccounts', 'kube-system'],
      ['delete', 'serviceaccounts', undefined],
      ['update', 'roles', NAMESPACE, 'rbac.authorization.k8s.io'],
      ['create', 'clusterrolebindings', undefined, 'rbac.authorization.k8s.io'],
      ['update', 'clusterroles', undefined, 'rbac.authorization.k8s.io'],
      ['delete', 'rolebindings', NAMESPACE, 'rbac.authorization.k8s.io'],
      ['create', 'roles', NAMESPACE, 'rbac.authorization.k8s.io'],
      ['escalate', 'clusterroles', undefined, 'rbac.authorization.k8s.io'],
      ['bind', 'clusterroles', undefined, 'rbac.authorization.k8s.io'],
      ['impersonate', 'serviceaccounts', undefined],
      ['get', 'nodes', undefined, '', 'proxy'],
      ['create', 'customresourcedefinitions', undefined, 'apiextensions.k8s.io'],
    ];
    for (const [verb, resource, namespace, group, subresource] of refused) {
      expect(
        await can(verb, resource, namespace, group, subresource),
        `${verb} ${resource}${subresource ? `/${subresource}` : ''} in ${namespace ?? 'all namespaces'}`,
      ).toBe(false);
    }
  });
});
