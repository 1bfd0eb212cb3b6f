// charts/kube-patrol with a Helm built from its Go module (hack/tools/build.sh helm): `helm lint`, `helm
// template` compared object by object with `kubectl kustomize manifests/` (and its components), applied
// to the real API server with no Pod Security warning, and scanned by kube-patrol itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../harness/controlplane.ts';
import { runCli, type Obj } from './support/cluster.ts';
import { applyServerSide, kustomize, kustomizeUserOverlay } from './support/kustomize.ts';
import { buildTool, run, TOOL_BUILD_TIMEOUT_MS } from './support/tools.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const CHART = join(repoRoot, 'charts', 'kube-patrol');
/** Labels Helm charts conventionally add and kustomize's base does not have. */
const HELM_LABELS = [
  'app.kubernetes.io/instance',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/version',
  'helm.sh/chart',
];
let helm: string;
let dir: string;

beforeAll(() => {
  helm = buildTool('helm');
  dir = mkdtempSync(join(tmpdir(), 'kp-helm-it-'));
}, TOOL_BUILD_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function template(
  values: Record<string, unknown> = {},
  namespace = 'kube-patrol',
): { status: number | null; yaml: string; stderr: string } {
  const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(values));
  const result = run(helm, ['template', 'kube-patrol', CHART, '-n', namespace, '-f', file]);
  return { status: result.status, yaml: result.stdout, stderr: result.stderr };
}

const objectsOf = (yaml: string): Obj[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o?.kind);

/** Sorted by kind and name; Helm's labels dropped; the config file compared as YAML, not as text. */
function normalise(objects: readonly Obj[]): Obj[] {
  return objects
    .map((o) => {
      const copy = structuredClone(o);
      const labels = copy.metadata['labels'] as Record<string, string> | undefined;
      for (const label of HELM_LABELS) delete labels?.[label];
      const data = copy['data'] as Record<string, string> | undefined;
      if (copy.kind === 'ConfigMap' && data?.['config.yaml'])
        data['config.yaml'] = parse(data['config.yaml']);
      return copy;
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

describe('charts/kube-patrol', () => {
  it('passes helm lint --strict', () => {
    const result = run(helm, ['lint', '--strict', CHART]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders with default values the same objects as kubectl kustomize manifests/', () => {
    const rendered = template();
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(normalise(objectsOf(rendered.yaml))).toEqual(normalise(kustomize('manifests').objects));
  });

  it('renders the report-sinks and Prometheus components (ServiceMonitor, alerts, dashboard) when their values are on', () => {
    const rendered = template({
      sinks: { openReports: true, policyReports: true },
      prometheus: {
        serviceMonitor: { enabled: true },
        rules: { enabled: true },
        dashboard: { enabled: true },
      },
    });
    expect(rendered.status, rendered.stderr).toBe(0);
    const kustomized = kustomizeUserOverlay({
      resources: ['manifests'],
      components: ['manifests/components/report-sinks', 'manifests/components/prometheus'],
    }).objects;
    const helmObjects = normalise(objectsOf(rendered.yaml));
    const withoutConfig = (objects: Obj[]) => objects.filter((o) => o.metadata.name !== 'kube-patrol-config');
    expect(withoutConfig(helmObjects)).toEqual(withoutConfig(normalise(kustomized)));
    const config = helmObjects.find((o) => o.kind === 'ConfigMap')!['data'] as {
      'config.yaml': Record<string, unknown>;
    };
    expect(config['config.yaml']['sinks']).toEqual({
      openReports: true,
      policyReports: true,
      maxResults: 1000,
    });
  });

  it('takes image, schedule, config, resources and replicas from values', () => {
    const rendered = template({
      image: { repository: 'registry.example/kp', tag: '9.9.9' },
      replicas: 1,
      schedule: '*/30 * * * *',
      config: { lang: 'zh-CN', report: { history: 3 } },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    });
    expect(rendered.status, rendered.stderr).toBe(0);
    const objects = objectsOf(rendered.yaml);
    const deployment = objects.find((o) => o.kind === 'Deployment') as Obj & {
      spec: { replicas: number; template: { spec: { containers: { image: string; resources: unknown }[] } } };
    };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0]!.image).toBe('registry.example/kp:9.9.9');
    expect(deployment.spec.template.spec.containers[0]!.resources).toEqual({
      requests: { cpu: '10m', memory: '64Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    const config = parse(
      (objects.find((o) => o.kind === 'ConfigMap')!['data'] as Record<string, string>)['config.yaml']!,
    );
    // Helm merges maps: the keys given replace the defaults', the others stay.
    expect(config).toMatchObject({
      lang: 'zh-CN',
      report: { history: 3, configMapName: 'kube-patrol-report' },
      schedule: '*/30 * * * *',
    });
  });

  it('refuses values that values.schema.json does not allow, naming the key', () => {
    const bad = template({ replicas: 0 });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/replicas/);
    const unknown = template({ sink: { openReports: true } });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/sink/);
  });

  it('applies to the real API server with no Pod Security warning, and passes kube-patrol’s own scan', () => {
    const rendered = template();
    const applied = applyServerSide(adminKubeconfig, rendered.yaml);
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stderr).not.toMatch(/Warning/i);
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, rendered.yaml);
    const scan = runCli(['scan', file, '-o', 'json', '--fail-on', 'low']);
    expect(scan.status, scan.stdout.slice(0, 2000) + scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout).summary.findings).toBe(0);
    // The chart's config file is one the operator accepts.
    expect(readFileSync(file, 'utf8')).toContain('kube-patrol-config');
  });
});
