// `kube-patrol fleet` over three real API servers: the shared control plane and two of this file's own.
// The operator (`operator --once`, twice, for a history) writes its reports into each; the fleet reads
// them with only the Role of manifests/components/fleet-reader (a ServiceAccount token per cluster); one
// control plane is stopped; the page shows the live ones and the stopped one as unreachable, in Chromium.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { FleetReport } from '../../src/fleet/model.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import {
  mintServiceAccountKubeconfig,
  repoRoot,
  startControlPlane,
  type ControlPlane,
} from '../harness/controlplane.ts';
import { launchChromium, SKIP_BROWSER_TESTS } from '../support/chromium.ts';
import {
  adminClient,
  createObject,
  installOperator,
  OperatorProcess,
  runCli,
  subjectCan,
  writeConfig,
  type Obj,
} from './support/cluster.ts';

const SHOP = 'fleet-shop';
// The component's one resource file, as applied (read directly: these tests need no kubectl).
const FLEET_READER = parseAllDocuments(
  readFileSync(join(repoRoot, 'manifests/components/fleet-reader/role.yaml'), 'utf8'),
).map((doc) => doc.toJS() as Obj);
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">prod"\'&';

interface Cluster {
  readonly label: string;
  readonly adminKubeconfig: string;
  readonly admin: KubeClient;
  readonly operatorNamespace: string;
  readonly readerKubeconfig: string;
  readonly stop?: () => Promise<void>;
}

const deployment = (name: string, podSpec: Record<string, unknown>): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: SHOP },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: podSpec },
  },
});

/** A kubeconfig of one context per cluster (each a fleet reader's token), the contexts renamed. */
function mergeKubeconfigs(entries: readonly { context: string; file: string }[]): string {
  const merged = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [] as unknown[],
    users: [] as unknown[],
    contexts: [] as unknown[],
  };
  for (const { context, file } of entries) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      clusters: { cluster: unknown }[];
      users: { user: unknown }[];
    };
    merged.clusters.push({ name: context, cluster: doc.clusters[0]!.cluster });
    merged.users.push({ name: context, user: doc.users[0]!.user });
    merged.contexts.push({ name: context, context: { cluster: context, user: context } });
  }
  return stringify({ ...merged, 'current-context': entries[0]!.context });
}

let dir: string;
const clusters: Cluster[] = [];
const extraPlanes: ControlPlane[] = [];
let kubeconfig: string;
let fleetFile: string;

async function prepare(label: string, adminKubeconfig: string, index: number, stop?: () => Promise<void>) {
  const admin = adminClient(adminKubeconfig);
  const install = await installOperator(admin, adminKubeconfig);
  await createObject(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SHOP } });
  // The same failing Deployment in every cluster, and one of each cluster's own.
  await createObject(
    admin,
    deployment('web', {
      containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: true } }],
    }),
  );
  await createObject(
    admin,
    deployment(`api-${index}`, { hostNetwork: true, containers: [{ name: 'api', image: 'api:1' }] }),
  );
  // The fleet reader: the component's Role, bound to a ServiceAccount of the operator's namespace.
  for (const object of FLEET_READER) {
    const copy = structuredClone(object);
    copy.metadata.namespace = install.namespace;
    if (copy.kind === 'RoleBinding')
      copy['subjects'] = [
        ...(copy['subjects'] as unknown[]),
        { kind: 'ServiceAccount', name: 'fleet-reader', namespace: install.namespace },
      ];
    await createObject(admin, copy);
  }
  const readerKubeconfig = await mintServiceAccountKubeconfig(
    adminKubeconfig,
    install.namespace,
    'fleet-reader',
    {
      outFile: join(dir, `reader-${label}.kubeconfig`),
    },
  );
  return {
    label,
    adminKubeconfig,
    admin,
    operatorNamespace: install.namespace,
    readerKubeconfig,
    operatorKubeconfig: install.kubeconfig,
    ...(stop ? { stop } : {}),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-fleet-it-'));
  const started = Date.now();
  const binDir = inject('kubePatrolTestBinaries');
  extraPlanes.push(...(await Promise.all([startControlPlane({ binDir }), startControlPlane({ binDir })])));
  console.log(`fleet: two extra control planes started in ${Date.now() - started} ms`);
  const prepared = await Promise.all([
    prepare('a', inject('kubePatrolKubeconfig'), 0),
    prepare('b', extraPlanes[0]!.kubeconfigPath, 1),
    prepare('c', extraPlanes[1]!.kubeconfigPath, 2, () => extraPlanes[1]!.stop()),
  ]);
  const config = await writeConfig(dir, { scope: { namespaces: [SHOP] }, report: { history: 3 } });
  // Two scans per cluster, the clusters at once: a history of two for the trend.
  for (let round = 0; round < 2; round++) {
    const runs = prepared.map(
      (c) =>
        new OperatorProcess([
          '--once',
          '--config',
          config,
          '--kubeconfig',
          c.operatorKubeconfig,
          '-n',
          c.operatorNamespace,
        ]),
    );
    const exits = await Promise.all(runs.map((r) => r.exited));
    exits.forEach((exit, i) => expect(exit.code, runs[i]!.stderr + JSON.stringify(runs[i]!.logs)).toBe(0));
  }
  clusters.push(...prepared);
  kubeconfig = join(dir, 'fleet.kubeconfig');
  await writeFile(
    kubeconfig,
    mergeKubeconfigs([
      ...clusters.map((c) => ({ context: `ctx-${c.label}`, file: c.readerKubeconfig })),
      // The admin of cluster a, to read a namespace that holds no report.
      { context: 'ctx-a-admin', file: clusters[0]!.adminKubeconfig },
    ]),
    { mode: 0o600 },
  );
  fleetFile = join(dir, 'fleet.yaml');
  await writeFile(
    fleetFile,
    stringify({
      clusters: [
        { context: 'ctx-a', name: HOSTILE_NAME, namespace: clusters[0]!.operatorNamespace },
        { context: 'ctx-b', name: 'Cluster B', namespace: clusters[1]!.operatorNamespace },
        { context: 'ctx-c', name: 'Cluster C', namespace: clusters[2]!.operatorNamespace },
        // The reader of a has no access to kube-system: access denied.
        { context: 'ctx-a', name: 'denied', namespace: 'kube-system' },
        { context: 'ctx-a-admin', name: 'no operator', namespace: SHOP },
        { context: 'ctx-missing', name: 'missing context' },
      ],
    }),
  );
  await clusters[2]!.stop!();
}, 240_000);

afterAll(async () => {
  for (const c of clusters) c.admin.close();
  await Promise.all(extraPlanes.map((p) => p.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const runFleet = (...args: string[]) =>
  runCli(['fleet', '--kubeconfig', kubeconfig, '--fleet', fleetFile, '--timeout', '5s', ...args]);

describe('kube-patrol fleet over three API servers, one stopped', () => {
  let out: string;
  let fleet: FleetReport;

  beforeAll(() => {
    out = join(dir, 'out');
    const started = Date.now();
    const result = runFleet('--out-dir', out);
    console.log(`fleet: ${clusters.length} clusters + 3 broken targets read in ${Date.now() - started} ms`);
    // Something could not be read: exit 2, and each such row is named on stderr.
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('Cluster C: unreachable');
    fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetReport;
  });

  it('reads the live clusters with only the fleet-reader Role, and says why each other row is not read', () => {
    const byName = Object.fromEntries(fleet.clusters.map((c) => [c.name, c]));
    expect(fleet.clusters.map((c) => [c.name, c.status])).toEqual([
      [HOSTILE_NAME, 'ok'],
      ['Cluster B', 'ok'],
      ['Cluster C', 'unreachable'],
      ['denied', 'forbidden'],
      ['no operator', 'no-report'],
      ['missing context', 'config-error'],
    ]);
    for (const name of [HOSTILE_NAME, 'Cluster B']) {
      const row = byName[name]!;
      expect(row.problem, name).toBeNull();
      expect(row.partial).toBe(false);
      expect(row.scan).toMatchObject({ workloads: 2, errors: 0 });
      expect(row.scan!.ageSeconds).toBeLessThan(600);
      expect(row.trend).toHaveLength(2);
      expect(row.worstRules.map((r) => r.id)).toEqual(expect.arrayContaining(['privileged', 'host-network']));
      expect(row.report).not.toBeNull();
      expect(existsSync(join(out, row.report!.html))).toBe(true);
      const report = JSON.parse(readFileSync(join(out, row.report!.json), 'utf8')) as {
        workloads: { name: string }[];
      };
      expect(report.workloads.map((w) => w.name).sort()).toEqual([
        'api-' + (name === 'Cluster B' ? 1 : 0),
        'web',
      ]);
    }
    expect(byName['Cluster C']!.problem).toMatch(/ECONNREFUSED|socket|timeout|no response/i);
    expect(byName['denied']!.problem).toContain('403');
    expect(fleet.summary).toMatchObject({ clusters: 6, read: 2, unreadable: 4, stale: 0 });
  });

  it('finds the rules failing in most clusters and the workload failing everywhere', () => {
    const privileged = fleet.rules.find((r) => r.id === 'privileged')!;
    expect(privileged.clusters).toEqual([HOSTILE_NAME, 'Cluster B']);
    expect(fleet.rules[0]!.clusters).toHaveLength(2);
    // The Deployment, and its Namespace: it enforces no Pod Security level in any cluster (namespace-pss-unenforced).
    expect(fleet.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual([
      `Deployment ${SHOP}/web`,
      `Namespace null/${SHOP}`,
    ]);
    expect(fleet.workloads[0]).toMatchObject({ everywhere: true });
    expect(fleet.workloads[0]!.commonRules).toContain('privileged');
  });

  it('writes the page in 简体中文 with --lang zh-CN', () => {
    const result = runFleet('-o', 'html', '--lang', 'zh-CN');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('<html lang="zh-CN">');
    expect(result.stdout).toContain('无法连接');
    expect(result.stdout).toContain('无权访问');
    expect(result.stdout).toContain('Kubernetes 多集群安全概览');
  });

  describe.skipIf(SKIP_BROWSER_TESTS)('the page in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows every cluster, the stopped one as unreachable, escapes names, and links each full report', async () => {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      const started = Date.now();
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      console.log(`fleet: page loaded in Chromium in ${Date.now() - started} ms`);
      const rows = page.locator('tr.cluster');
      expect(await rows.count()).toBe(6);
      const status = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
      expect(status).toEqual(['ok', 'ok', 'unreachable', 'forbidden', 'no-report', 'config-error']);
      await expect
        .poll(() => page.locator('tr.status-unreachable .badge').first().textContent())
        .toBe('unreachable');
      // The hostile display name is text, not markup.
      expect(await page.locator('tr.cluster .name').first().textContent()).toBe(HOSTILE_NAME);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('#workloads tr.everywhere').count()).toBe(2);
      expect(await page.locator('svg.trend polyline').count()).toBe(2);
      expect(problems).toEqual([]);
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
      // One click to a cluster's full report.
      await page.locator('a.report-link').nth(1).click();
      await page.waitForLoadState('load');
      expect(page.url()).toMatch(/clusters\/02-cluster-b\/report\.html$/);
      expect(await page.title()).toContain('Kubernetes security inspection report');
      expect(await page.locator('#findings').count()).toBe(1);
      await context.close();
    });
  });
});

describe('the fleet-reader Role, asked of the real authorizer', () => {
  it("allows get of ConfigMaps in the operator's namespace and refuses everything else", async () => {
    const [a] = clusters;
    const ns = a!.operatorNamespace;
    // A member of the group the component binds, as the API server's authorizer answers for it.
    const can = (verb: string, resource: string, namespace?: string, name?: string, group = '') =>
      subjectCan(
        a!.admin,
        { user: 'alice', groups: ['kube-patrol:fleet-readers', 'system:authenticated'] },
        { verb, group, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) },
      );
    expect(await can('get', 'configmaps', ns, 'kube-patrol-report')).toBe(true);
    // The parts of a split report are named after their scan: fetched by name, never listed.
    expect(await can('get', 'configmaps', ns, 'kube-patrol-report-20261201-000000-abcd-part-0')).toBe(true);
    const refused: [string, string, string?, string?, string?][] = [
      ['list', 'configmaps', ns],
      ['watch', 'configmaps', ns],
      ['get', 'configmaps', 'default', 'kube-patrol-report'],
      ['list', 'configmaps'],
      ['update', 'configmaps', ns, 'kube-patrol-report'],
      ['patch', 'configmaps', ns, 'kube-patrol-report'],
      ['delete', 'configmaps', ns, 'kube-patrol-report'],
      ['create', 'configmaps', ns],
      ['get', 'secrets', ns, 'any'],
      ['list', 'pods'],
      ['get', 'leases', ns, 'kube-patrol-leader', 'coordination.k8s.io'],
    ];
    for (const [verb, resource, namespace, name, group] of refused)
      expect(
        await can(verb, resource, namespace, name, group),
        `${verb} ${resource} ${name ?? ''} in ${namespace ?? 'all namespaces'}`,
      ).toBe(false);
  });
});
