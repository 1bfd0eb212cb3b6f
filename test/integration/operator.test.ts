// The operator against the shared real control plane, always as the ServiceAccount of manifests/ with
// exactly its RBAC (never as admin): one install (namespace + RBAC) per test.
import { mkdtemp, readFile } from 'node:fs/promises';
import { REGISTRY } from '../support/registry.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorConfigSchema } from '../../src/config/operator.ts';
import { Operator, type ScanOutcome } from '../../src/controller/operator.ts';
import { connect, isApiStatus, type KubeApi, type KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { RBAC_RULE_IDS } from '../../src/rbac/powers.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  deployment,
  httpGet,
  installOperator,
  withoutClusterRoleResource,
  OperatorProcess,
  runCli,
  writeConfig,
} from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let dir: string;
const clients: KubeClient[] = [];
const processes: OperatorProcess[] = [];

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  dir = await mkdtemp(join(tmpdir(), 'kp-operator-it-'));
});

afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  for (const c of clients) c.close();
  admin.close();
});

/** A namespace with a few workloads, some owned (a ReplicaSet and Pod of the Deployment, a Job of the CronJob). */
async function seedWorkloads(): Promise<string> {
  const ns = await createNamespace(admin, 'wl');
  const web = deployment(ns, 'web', { privileged: true });
  await createMany(admin, [web, deployment(ns, 'api')]);
  const owner = await admin.request<{ metadata: { uid: string } }>(
    'GET',
    `/apis/apps/v1/namespaces/${ns}/deployments/web`,
  );
  const rsName = 'web-6d4cf56db6';
  await createMany(admin, [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: ns,
        labels: { app: 'web' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: owner.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: web['spec'] as object,
    },
  ]);
  const rs = await admin.request<{ metadata: { uid: string } }>(
    'GET',
    `/apis/apps/v1/namespaces/${ns}/replicasets/${rsName}`,
  );
  await createMany(admin, [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${rsName}-x7k2p`,
        namespace: ns,
        labels: { app: 'web' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rs.metadata.uid, controller: true },
        ],
      },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', namespace: ns },
      spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: ns },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1.36' }] },
            },
          },
        },
      },
    },
  ]);
  return ns;
}

const RBAC_RULES_OFF = Object.fromEntries(RBAC_RULE_IDS.map((id) => [id, 'off']));

function operatorConfig(workloadNamespace: string, extra: Record<string, unknown> = {}) {
  return operatorConfigSchema.parse({
    scope: { namespaces: [workloadNamespace] },
    server: { port: 0, host: '127.0.0.1' },
    ...extra,
  });
}

function inProcessOperator(
  api: KubeApi,
  namespace: string,
  config: ReturnType<typeof operatorConfig>,
  identity = 'test',
): Operator {
  return new Operator({
    registry: REGISTRY,
    api,
    config,
    namespace,
    identity,
    cluster: 'test',
    logger: pino({ level: 'silent' }),
  });
}

function saClient(kubeconfig: string): KubeClient {
  const client = connect({ kubeconfig, qps: 50, burst: 100 });
  clients.push(client);
  return client;
}

describe('operator under the RBAC of manifests/', () => {
  it('scans, collapses owned objects, writes the ConfigMaps and an Event; report get/history/diff read them back', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const config = await writeConfig(dir, { scope: { namespaces: [workloads] }, report: { history: 2 } });
    const args = ['--kubeconfig', install.kubeconfig, '-n', install.namespace];

    for (let i = 0; i < 3; i++) {
      const once = runCli(['operator', '--once', '--config', config, ...args]);
      expect(once.status, once.stdout + once.stderr).toBe(0);
    }
    const got = runCli(['report', 'get', '-o', 'json', ...args]);
    expect(got.status, got.stderr).toBe(0);
    const report = JSON.parse(got.stdout) as InspectionReport;
    expect(report.metadata.source).toBe('cluster');
    // The ReplicaSet and its Pod land on the Deployment; the bare Pod and the CronJob stay.
    expect(report.workloads.map((w) => `${w.kind}/${w.name}`).sort()).toEqual([
      'CronJob/nightly',
      'Deployment/api',
      'Deployment/web',
      'Pod/bare',
    ]);
    expect(report.findings.some((f) => f.ruleId === 'privileged' && f.workload.name === 'web')).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.diff).toMatchObject({ new: [], resolved: [] });

    // Plain kubectl readability: summary.json, report.json and report.html in data.
    const cm = await admin.request<{
      data: Record<string, string>;
      metadata: { labels: Record<string, string> };
    }>('GET', `/api/v1/namespaces/${install.namespace}/configmaps/kube-patrol-report`);
    expect(Object.keys(cm.data).sort()).toEqual([
      'history.json',
      'report.html',
      'report.json',
      'summary.json',
    ]);
    expect(cm.metadata.labels['app.kubernetes.io/name']).toBe('kube-patrol');
    expect(JSON.parse(cm.data['history.json']!)).toHaveLength(2); // history: 2 kept of 3 scans
    const all = await admin.request<{ items: unknown[] }>(
      'GET',
      `/api/v1/namespaces/${install.namespace}/configmaps`,
      { query: { labelSelector: 'kube-patrol.io/report=kube-patrol-report' } },
    );
    expect(all.items).toHaveLength(3); // latest + 2 history copies; the oldest was pruned

    const events = await admin.request<{ items: { type: string; reason: string; message: string }[] }>(
      'GET',
      `/api/v1/namespaces/${install.namespace}/events`,
    );
    expect(events.items.filter((e) => e.reason === 'NewCriticalFindings')).toHaveLength(1); // first scan only: later ones found nothing new
    expect(events.items[0]).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining('privileged on Deployment'),
    });

    const outDir = join(dir, 'out');
    expect(runCli(['report', 'get', '--out-dir', outDir, ...args]).status).toBe(0);
    expect(await readFile(join(outDir, 'report.html'), 'utf8')).toContain('<html');
    expect(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8'))).toEqual(report);
    const history = runCli(['report', 'history', ...args]);
    expect(history.stdout.trim().split('\n')).toHaveLength(2);
    const diff = runCli(['report', 'diff', '-o', 'json', ...args]);
    expect(diff.status, diff.stderr).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({ new: [], resolved: [] });
  });

  it('cannot read Secrets, write ConfigMaps elsewhere or create Pods with that token', async () => {
    const install = await installOperator(admin, adminKubeconfig);
    const other = await createNamespace(admin);
    const sa = saClient(install.kubeconfig);
    const refused = async (promise: Promise<unknown>) =>
      expect(
        await promise.then(
          () => 'allowed',
          (e: unknown) => (isApiStatus(e, 403) ? 'forbidden' : String(e)),
        ),
      ).toBe('forbidden');
    await refused(sa.request('GET', `/api/v1/namespaces/${install.namespace}/secrets`));
    await refused(sa.request('GET', '/api/v1/secrets'));
    await refused(
      sa.request('POST', `/api/v1/namespaces/${other}/configmaps`, { body: { metadata: { name: 'x' } } }),
    );
    await refused(
      sa.request('POST', `/api/v1/namespaces/${install.namespace}/pods`, {
        body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } },
      }),
    );
    await refused(sa.request('DELETE', `/apis/apps/v1/namespaces/${other}/deployments/x`));
  });

  it('a 403 on one kind does not fail the scan: the report names the kind it could not see', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig, withoutClusterRoleResource('cronjobs'));
    const operator = inProcessOperator(
      saClient(install.kubeconfig),
      install.namespace,
      operatorConfig(workloads),
    );
    const outcome = await operator.runOnce();
    expect(outcome.ok, outcome.error?.message).toBe(true);
    expect(outcome.report!.errors).toEqual([
      expect.objectContaining({ source: 'cluster: CronJob in namespace ' + workloads }),
    ]);
    expect(outcome.report!.workloads.map((w) => w.kind).sort()).toEqual(['Deployment', 'Deployment', 'Pod']);
    // The CLI says the same and exits 2 (an input that could not be read), with the report on stdout.
    const scan = runCli(['scan', '--kubeconfig', install.kubeconfig, '-n', workloads, '-o', 'json']);
    expect(scan.status).toBe(2);
    expect(JSON.parse(scan.stdout).errors[0].source).toBe(`cluster: CronJob in namespace ${workloads}`);
  });

  it('a 409 Conflict on the report ConfigMap is retried and the write succeeds', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const sa = saClient(install.kubeconfig);
    const first = await inProcessOperator(sa, install.namespace, operatorConfig(workloads)).runOnce();
    expect(first.ok).toBe(true);
    // Someone else updates the ConfigMap between the operator's read and its write: a real 409 from the server.
    let interfered = 0;
    const racing: KubeApi = {
      watch: sa.watch.bind(sa),
      request: async <T>(
        method: string,
        path: string,
        options?: Parameters<KubeApi['request']>[2],
      ): Promise<T> => {
        if (method === 'PUT' && path.endsWith('/configmaps/kube-patrol-report') && interfered++ === 0) {
          const current = await admin.request<{ metadata: { annotations?: Record<string, string> } }>(
            'GET',
            path,
          );
          current.metadata.annotations = { ...current.metadata.annotations, 'example.com/touched': 'yes' };
          await admin.request('PUT', path, { body: current });
        }
        return sa.request<T>(method, path, options);
      },
    };
    const operator = inProcessOperator(racing, install.namespace, operatorConfig(workloads));
    const second = await operator.runOnce();
    expect(second.ok, second.error?.message).toBe(true);
    expect(second.write!.conflicts).toBe(1);
    expect(
      await operator.metrics.registry.getSingleMetricAsString('kube_patrol_report_write_conflicts_total'),
    ).toContain('kube_patrol_report_write_conflicts_total 1');
    const stored = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
    expect(stored.summary.scanId).toBe(second.write!.scanId);
    expect(stored.history.map((h) => h.scanId)).toEqual([second.write!.scanId, first.write!.scanId]);
  });

  it('a report too big for one ConfigMap is gzipped, then brotli, then split across numbered ConfigMaps, and reads back whole', async () => {
    const workloads = await seedWorkloads();
    // Enough findings that brotli's larger window matters (200 more pods, 2,000-odd findings).
    await createMany(
      admin,
      Array.from({ length: 200 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `bare-${i}`, namespace: workloads },
        spec: {
          containers: [{ name: 'app', image: 'busybox:1.36', securityContext: { privileged: i % 2 === 0 } }],
        },
      })),
    );
    const install = await installOperator(admin, adminKubeconfig);
    const sa = saClient(install.kubeconfig);
    const outcomes: ScanOutcome[] = [];
    const keys: string[][] = [];
    for (const maxConfigMapBytes of [400 * 1024, 40 * 1024, 16 * 1024]) {
      const outcome = await inProcessOperator(
        sa,
        install.namespace,
        // The rbac-* rules off: cluster-wide RBAC objects (what other tests left on the shared control
        // plane) would make the report's size, which this test tunes, depend on the test order.
        operatorConfig(workloads, { report: { maxConfigMapBytes }, rules: RBAC_RULES_OFF }),
      ).runOnce();
      expect(outcome.ok, outcome.error?.message).toBe(true);
      outcomes.push(outcome);
      const cm = await admin.request<{ binaryData?: Record<string, string> }>(
        'GET',
        `/api/v1/namespaces/${install.namespace}/configmaps/kube-patrol-report`,
      );
      keys.push(Object.keys(cm.binaryData ?? {}).sort());
    }
    expect(outcomes.map((o) => o.write!.storage)).toEqual(['gzip', 'brotli', 'split']);
    expect(keys).toEqual([['report.html.gz', 'report.json.gz'], ['report.html.br', 'report.json.br'], []]);
    const parts = await admin.request<{ items: { metadata: { name: string } }[] }>(
      'GET',
      `/api/v1/namespaces/${install.namespace}/configmaps`,
      { query: { labelSelector: 'kube-patrol.io/role=part' } },
    );
    expect(parts.items.length).toBeGreaterThan(1);
    const got = runCli([
      'report',
      'get',
      '-o',
      'json',
      '--kubeconfig',
      install.kubeconfig,
      '-n',
      install.namespace,
    ]);
    expect(got.status, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual(JSON.parse(JSON.stringify(outcomes[2]!.report)));
    for (const outcome of outcomes.slice(0, 2)) {
      const older = runCli([
        'report',
        'get',
        outcome.write!.scanId,
        '-o',
        'json',
        '--kubeconfig',
        install.kubeconfig,
        '-n',
        install.namespace,
      ]);
      expect(JSON.parse(older.stdout)).toEqual(JSON.parse(JSON.stringify(outcome.report)));
    }
  });

  it('with watch: true a burst of changes triggers one debounced rescan', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const operator = inProcessOperator(
      saClient(install.kubeconfig),
      install.namespace,
      operatorConfig(workloads, { watch: true, debounceSeconds: 1, leaderElection: { enabled: false } }),
    );
    const outcomes: ScanOutcome[] = [];
    operator.onScan = (o) => outcomes.push(o);
    await operator.start();
    try {
      await waitUntil(() => outcomes.length === 1, 20_000, 'the first scan');
      await new Promise((r) => setTimeout(r, 500)); // watches established
      await createMany(
        admin,
        Array.from({ length: 5 }, (_, i) => deployment(workloads, `burst-${i}`)),
      );
      await waitUntil(() => outcomes.length === 2, 20_000, 'the rescan after the changes');
      expect(outcomes[1]).toMatchObject({ ok: true, trigger: 'change' });
      expect(outcomes[1]!.report!.summary.workloads).toBe(outcomes[0]!.report!.summary.workloads + 5);
      expect(outcomes[1]!.report!.diff?.new.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 2500));
      expect(outcomes).toHaveLength(2); // not one scan per event
    } finally {
      await operator.stop();
    }
  });

  it('with watch: true a new RoleBinding triggers a rescan that reports the power on the workloads', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const operator = inProcessOperator(
      saClient(install.kubeconfig),
      install.namespace,
      operatorConfig(workloads, { watch: true, debounceSeconds: 1, leaderElection: { enabled: false } }),
    );
    const outcomes: ScanOutcome[] = [];
    operator.onScan = (o) => outcomes.push(o);
    await operator.start();
    const secretsRead = (o: ScanOutcome | undefined) =>
      (o?.report?.findings ?? []).filter((f) => f.ruleId === 'rbac-secrets-read' && !f.exempted);
    try {
      await waitUntil(() => outcomes.length === 1, 20_000, 'the first scan');
      expect(secretsRead(outcomes[0])).toEqual([]);
      await new Promise((r) => setTimeout(r, 500)); // watches established
      await createMany(admin, [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'read-secrets', namespace: workloads },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'default-reads-secrets', namespace: workloads },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-secrets' },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: workloads }],
        },
      ]);
      await waitUntil(() => outcomes.length >= 2, 20_000, 'the rescan after the RBAC change');
      expect(outcomes[1]).toMatchObject({ ok: true, trigger: 'change' });
      const found = secretsRead(outcomes[1]);
      expect(found.some((f) => f.workload.kind === 'RoleBinding')).toBe(true);
      expect(found.some((f) => f.workload.kind !== 'RoleBinding' && (f.evidence?.length ?? 0) > 0)).toBe(
        true,
      );
    } finally {
      await operator.stop();
    }
  });

  it('two replicas: exactly one writes; the other takes over within the lease duration when it is killed', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const config = await writeConfig(dir, {
      scope: { namespaces: [workloads] },
      schedule: '*/2 * * * * *', // every 2 s, so both would write often if both led
      server: { port: 0, host: '127.0.0.1' },
      leaderElection: { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    });
    const start = (name: string) => {
      const p = new OperatorProcess(
        ['--config', config, '--kubeconfig', install.kubeconfig, '-n', install.namespace],
        { POD_NAME: name },
      );
      processes.push(p);
      return p;
    };
    const a = start('replica-a');
    const b = start('replica-b');
    const leader = await Promise.race([
      a.waitForMsg('became leader: scanning', 30_000).then(() => a),
      b.waitForMsg('became leader: scanning', 30_000).then(() => b),
    ]);
    const standby = leader === a ? b : a;
    await leader.waitForMsg('scan written', 30_000);
    await new Promise((r) => setTimeout(r, 5000));
    expect(leader.count('scan written')).toBeGreaterThanOrEqual(2);
    expect(standby.count('scan written')).toBe(0);
    expect(standby.count('became leader: scanning')).toBe(0);
    const standbyPort = standby.logs.find((l) => l['msg'] === 'operator started')!['port'] as number;
    expect((await httpGet(`http://127.0.0.1:${standbyPort}/readyz`)).body).toContain('standby');

    const killedAt = Date.now();
    leader.kill('SIGKILL');
    await leader.exited;
    await standby.waitForMsg('became leader: scanning', 15_000);
    const tookOverMs = Date.now() - killedAt;
    expect(tookOverMs).toBeLessThan(4000 + 2000 + 1000); // lease duration + retry period + slack
    const written = await standby.waitForMsg('scan written', 15_000);
    const stored = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
    expect(stored.summary.scanId).toBe(written['scanId']);
    const lease = await admin.request<{ spec: { holderIdentity: string; leaseTransitions: number } }>(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${install.namespace}/leases/kube-patrol-leader`,
    );
    expect(lease.spec.holderIdentity).toMatch(/^replica-[ab]_/);
    expect(lease.spec.leaseTransitions).toBe(1);

    standby.kill('SIGTERM');
    expect(await standby.exited).toEqual({ code: 0, signal: null });
    const released = await admin.request<{ spec: { holderIdentity?: string | null } }>(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${install.namespace}/leases/kube-patrol-leader`,
    );
    expect(released.spec.holderIdentity ?? null).toBeNull(); // released on SIGTERM for a fast handover
  });

  it('kube-patrol scan with no PATH scans the current kubeconfig context', async () => {
    const workloads = await seedWorkloads();
    const install = await installOperator(admin, adminKubeconfig);
    const scan = runCli(['scan', '-n', workloads, '-o', 'json', '--fail-on', 'critical'], {
      KUBECONFIG: install.kubeconfig,
    });
    expect(scan.status, scan.stderr).toBe(1); // privileged: critical
    const report = JSON.parse(scan.stdout) as InspectionReport;
    expect(report.metadata).toMatchObject({ source: 'cluster', cluster: 'kube-patrol-test' });
    expect(report.summary.workloads).toBe(4);
    const table = runCli([
      'scan',
      '--kubeconfig',
      install.kubeconfig,
      '--context',
      'kube-patrol-test',
      '-n',
      workloads,
    ]);
    expect(table.stdout).toContain('Deployment');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
