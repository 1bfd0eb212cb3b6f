// The RBAC rules through the manifest scan the CLI runs: a workload whose account can read every Secret
// carries the finding with its binding chain; the binding carries its own; a built-in binding's
// findings stay in the report, exempt by default with the reason; a bad RBAC object is an error naming it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { renderSarif } from '../../src/report/render/sarif.ts';
import { reportFindingSchema } from '../../src/report/stored-schema.ts';
import { REGISTRY } from '../support/registry.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function scan(files: Record<string, string>) {
  dir = await mkdtemp(join(tmpdir(), 'kube-patrol-rbac-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return (await scanManifests([dir], resolveSettings(REGISTRY, {}, {}, new Date(0)))).report;
}

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      containers: [{name: app, image: nginx:1.27}]
`;
const rbac = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-reads-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - {kind: ServiceAccount, name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:public-info-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:public-info-viewer}
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: system:unauthenticated}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:public-info-viewer}
rules:
  - {verbs: [get], nonResourceURLs: [/healthz, /livez, /readyz, /version, /version/]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: broken, namespace: shop}
subjects: [{kind: User}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
`;

describe('RBAC rules in a manifest scan', () => {
  it('reports the workload, with the chain, the binding, and the built-in binding as exempt', async () => {
    const report = await scan({ 'app.yaml': app, 'rbac.yaml': rbac });
    const secrets = report.findings.filter((f) => f.ruleId === 'rbac-secrets-read');
    expect(secrets.map((f) => [f.workload.kind, f.workload.name, f.severity, f.path])).toEqual([
      ['ClusterRoleBinding', 'web-reads-secrets', 'high', 'roleRef'],
      // No token mounted: one step lower.
      ['Deployment', 'web', 'medium', 'spec.template.spec.serviceAccountName'],
    ]);
    const onWorkload = secrets.find((f) => f.workload.kind === 'Deployment')!;
    expect(onWorkload.message).toContain('shop/web');
    expect(onWorkload.message).toContain('cluster-wide');
    expect(onWorkload.evidence).toEqual([
      'ClusterRoleBinding web-reads-secrets → ClusterRole secret-reader',
      '  ClusterRole secret-reader rules[0]: get secrets, list secrets, watch secrets',
      'the pods mount no service account token (automountServiceAccountToken: false): one severity step lower',
    ]);
    expect(onWorkload.source?.file).toBe(join(dir!, 'app.yaml'));
    const anonymous = report.findings.filter((f) => f.ruleId === 'rbac-anonymous-binding');
    expect(anonymous.map((f) => [f.workload.name, f.exempted?.by, f.exempted?.reason])).toEqual([
      ['system:public-info-viewer', 'preset', expect.stringContaining('health and version endpoints')],
    ]);
    expect(report.summary.exempted).toBe(1);
    expect(report.errors).toEqual([
      expect.objectContaining({
        source: expect.stringContaining('RoleBinding shop/broken'),
        message: expect.stringContaining(
          'invalid RBAC object, not inspected by the rbac-* rules: subjects.0.name',
        ),
      }),
    ]);
  });

  it('gives SARIF results with file and line for the binding and the workload, and the binding chain', async () => {
    const report = await scan({ 'app.yaml': app, 'rbac.yaml': rbac });
    const log = JSON.parse(renderSarif(report, { rules: REGISTRY.meta, baseDir: dir! })) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations?: {
            physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const results = log.runs[0]!.results.filter((r) => r.ruleId === 'rbac-secrets-read');
    const where = results.map((r) => {
      const physical = r.locations?.[0]?.physicalLocation;
      return [physical?.artifactLocation.uri, physical?.region?.startLine];
    });
    // The binding's roleRef (line 10 of rbac.yaml) and the workload's serviceAccountName (line 9 of app.yaml).
    expect(where).toEqual([
      ['rbac.yaml', 10],
      ['app.yaml', 9],
    ]);
  });

  it('keeps data and evidence within what a stored report holds, for an account with hundreds of bindings', async () => {
    const verbs = Array.from({ length: 400 }, (_, i) => `verb-${i}`);
    const docs = [app.replace('automountServiceAccountToken: false', 'automountServiceAccountToken: true')];
    docs.push(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: huge}
rules:
${Array.from({ length: 300 }, (_, i) => `  - {apiGroups: [""], resources: [secrets], verbs: [get, ${verbs.join(', ')}], resourceNames: [s-${i}]}`).join('\n')}
`);
    for (let i = 0; i < 300; i++)
      docs.push(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb-${i}, namespace: ns-${i}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: huge}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
`);
    const report = await scan({ 'all.yaml': docs.join('---\n') });
    const onWorkload = report.findings.find(
      (f) => f.ruleId === 'rbac-secrets-read' && f.workload.kind === 'Deployment',
    )!;
    expect(onWorkload.data['namespaces']).toMatch(/… and \d+ more$/);
    for (const f of report.findings) {
      // What `report get` accepts back from a ConfigMap.
      expect(reportFindingSchema.safeParse(f).error).toBeUndefined();
      expect(f.evidence?.length ?? 0).toBeLessThanOrEqual(256);
      for (const line of f.evidence ?? []) expect(line.length).toBeLessThanOrEqual(4096);
      for (const value of Object.values(f.data)) expect(String(value).length).toBeLessThanOrEqual(4096);
    }
  });
});
