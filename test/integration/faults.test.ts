// Faults the operator must survive, on a control plane of this file's own (it stops kube-apiserver and
// compacts etcd): an expired continue token, the API server stopped mid-scan, a 5,000-workload report,
// SIGTERM mid-scan. Always as the manifests/ ServiceAccount.
import { mkdtemp } from 'node:fs/promises';
import { REGISTRY } from '../support/registry.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateWorkloads } from '../../bench/generate.ts';
import { operatorConfigSchema } from '../../src/config/operator.ts';
import { Operator, type ScanOutcome } from '../../src/controller/operator.ts';
import { connect, type KubeApi, type KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.ts';
import {
  adminClient,
  apiServerControl,
  compactEtcd,
  createMany,
  createNamespace,
  httpGet,
  installOperator,
  metricValue,
  OperatorProcess,
  runCli,
  sanitizeGenerated,
  writeConfig,
  type ApiServerControl,
  type Obj,
  type OperatorInstall,
} from './support/cluster.ts';

const SCALE = 5000;

let controlPlane: ControlPlane;
let apiserver: ApiServerControl;
let admin: KubeClient;
let dir: string;
const clients: KubeClient[] = [];
const processes: OperatorProcess[] = [];

beforeAll(async () => {
  // Continue pages served from etcd, not the watch cache's snapshots, so that a compaction expires the
  // token exactly as it does on clusters without ListFromCacheSnapshot (before 1.34, or with it off).
  controlPlane = await startControlPlane({
    binDir: inject('kubePatrolTestBinaries'),
    extraApiServerArgs: ['--feature-gates=ListFromCacheSnapshot=false'],
  });
  apiserver = apiServerControl(controlPlane);
  admin = adminClient(controlPlane.kubeconfigPath);
  dir = await mkdtemp(join(tmpdir(), 'kp-faults-it-'));
});

afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  for (const c of clients) c.close();
  admin?.close();
  apiserver?.cleanup();
  await controlPlane?.stop();
});

function saClient(kubeconfig: string): KubeClient {
  const client = connect({ kubeconfig, qps: 50, burst: 100 });
  clients.push(client);
  return client;
}

function deployments(namespace: string, count: number): Obj[] {
  return Array.from({ length: count }, (_, i) => {
    const labels = { app: `app-${i}` };
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: i % 2 === 0 } }],
          },
        },
      },
    };
  });
}

function config(extra: Record<string, unknown>) {
  return operatorConfigSchema.parse({ server: { port: 0, host: '127.0.0.1' }, ...extra });
}

/** A KubeApi that runs `before` ahead of the first request matching `match` (then passes every call on). */
function hooked(
  api: KubeClient,
  match: (method: string, path: string, query: Record<string, unknown>) => boolean,
  before: () => Promise<void>,
): KubeApi & { fired: boolean; armed: boolean } {
  const wrapper = {
    fired: false,
    armed: true,
    watch: api.watch.bind(api),
    request: async <T>(
      method: string,
      path: string,
      options?: Parameters<KubeApi['request']>[2],
    ): Promise<T> => {
      if (
        wrapper.armed &&
        !wrapper.fired &&
        match(method, path, (options?.query ?? {}) as Record<string, unknown>)
      ) {
        wrapper.fired = true;
        await before();
      }
      return api.request<T>(method, path, options);
    },
  };
  return wrapper;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('faults', () => {
  it('an expired continue token (410 Gone after an etcd compaction) restarts that list; the scan is whole', async () => {
    const workloads = await createNamespace(admin, 'wl');
    await createMany(admin, deployments(workloads, 12));
    const install = await installOperator(admin, controlPlane.kubeconfigPath);
    // Between the first and second page of Deployments, etcd compacts away the revision the token pins.
    const api = hooked(
      saClient(install.kubeconfig),
      (method, path, query) =>
        method === 'GET' && path.endsWith('/deployments') && typeof query['continue'] === 'string',
      async () => {
        await compactEtcd(controlPlane);
      },
    );
    const operator = new Operator({
      registry: REGISTRY,
      api,
      config: config({ scope: { namespaces: [workloads] }, client: { pageSize: 5 } }),
      namespace: install.namespace,
      identity: 't',
      cluster: 't',
      logger: pino({ level: 'silent' }),
    });
    const outcome = await operator.runOnce();
    expect(api.fired).toBe(true);
    expect(outcome.ok, outcome.error?.message).toBe(true);
    expect(outcome.stats!.restarts).toBe(1);
    expect(outcome.report!.workloads.map((w) => w.name).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `app-${i}`).sort(),
    );
  });

  it('the API server stopped mid-scan: the scan fails cleanly, the previous report stays, /readyz and metrics say so, the next tick succeeds', async () => {
    const workloads = await createNamespace(admin, 'wl');
    await createMany(admin, deployments(workloads, 3));
    const install = await installOperator(admin, controlPlane.kubeconfigPath);
    const sa = saClient(install.kubeconfig);
    const api = hooked(
      sa,
      (method, path) => method === 'GET' && path.endsWith('/replicasets'),
      () => apiserver.stop(),
    );
    api.armed = false;
    const operator = new Operator({
      registry: REGISTRY,
      api,
      config: config({
        scope: { namespaces: [workloads] },
        schedule: '*/2 * * * * *',
        leaderElection: { enabled: false },
      }),
      namespace: install.namespace,
      identity: 't',
      cluster: 't',
      logger: pino({ level: 'silent' }),
    });
    const outcomes: ScanOutcome[] = [];
    operator.onScan = (o) => outcomes.push(o);
    await operator.start();
    try {
      const base = `http://127.0.0.1:${operator.port}`;
      await waitUntil(() => outcomes.length >= 1, 20_000, 'the first scan');
      const first = outcomes[0]!;
      expect(first.ok).toBe(true);
      expect((await httpGet(`${base}/readyz`)).status).toBe(200);

      api.armed = true; // the next scan stops kube-apiserver after listing three kinds
      await waitUntil(() => outcomes.some((o) => !o.ok), 30_000, 'a failed scan');
      const failed = outcomes.find((o) => !o.ok)!;
      expect(failed.stage).toBe('list');
      expect(failed.error?.message).toMatch(/ECONNREFUSED|socket hang up|ECONNRESET/);
      const ready = await httpGet(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('last scan failed (list)');
      const metrics = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_last_scan_success')).toBe(0);
      expect(metricValue(metrics, 'kube_patrol_scan_errors_total', 'stage="list"')).toBeGreaterThanOrEqual(1);
      const lastSuccess = metricValue(metrics, 'kube_patrol_last_successful_scan_timestamp_seconds')!;
      expect(lastSuccess).toBeGreaterThan(0);

      await apiserver.start();
      const failures = outcomes.length;
      await waitUntil(
        () => outcomes.slice(failures).some((o) => o.ok),
        30_000,
        'a successful tick after the restart',
      );
      const recovered = outcomes.slice(failures).find((o) => o.ok)!;
      expect(recovered.trigger).toBe('schedule');
      expect((await httpGet(`${base}/readyz`)).status).toBe(200);
      const after = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(after, 'kube_patrol_last_scan_success')).toBe(1);
      expect(metricValue(after, 'kube_patrol_last_successful_scan_timestamp_seconds')!).toBeGreaterThan(
        lastSuccess,
      );
      // The failure left nothing behind: every report ConfigMap is the latest or a kept history entry.
      const stored = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
      const cms = await admin.request<{ items: { metadata: { labels: Record<string, string> } }[] }>(
        'GET',
        `/api/v1/namespaces/${install.namespace}/configmaps`,
        { query: { labelSelector: 'kube-patrol.io/report=kube-patrol-report' } },
      );
      const kept = new Set(stored.history.map((h) => h.scanId));
      for (const cm of cms.items) expect(kept.has(cm.metadata.labels['kube-patrol.io/scan-id']!)).toBe(true);
      expect(stored.history.map((h) => h.scanId)).toContain(first.write!.scanId);
    } finally {
      await operator.stop();
    }
  });

  it('the API server stopped: the leader stops leading at its renew deadline, says so in /readyz and metrics, and leads again after', async () => {
    const workloads = await createNamespace(admin, 'wl');
    await createMany(admin, deployments(workloads, 2));
    const install = await installOperator(admin, controlPlane.kubeconfigPath);
    const sa = saClient(install.kubeconfig);
    const leaseApi = sa.forLease(2000);
    clients.push(leaseApi);
    const operator = new Operator({
      registry: REGISTRY,
      api: sa,
      leaseApi,
      config: config({
        scope: { namespaces: [workloads] },
        schedule: '*/2 * * * * *',
        leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
      }),
      namespace: install.namespace,
      identity: 'only',
      cluster: 't',
      logger: pino({ level: 'silent' }),
    });
    const outcomes: ScanOutcome[] = [];
    operator.onScan = (o) => outcomes.push(o);
    await operator.start();
    try {
      const base = `http://127.0.0.1:${operator.port}`;
      await waitUntil(() => outcomes.some((o) => o.ok), 20_000, 'a first scan');
      expect(operator.isLeader).toBe(true);
      const stoppedAt = Date.now();
      await apiserver.stop();
      await waitUntil(() => !operator.isLeader, 10_000, 'stepping down');
      const steppedDownMs = Date.now() - stoppedAt;
      console.log(
        `API server stopped: the leader stepped down after ${steppedDownMs} ms (renew deadline 4 s)`,
      );
      expect(steppedDownMs).toBeLessThanOrEqual(4000 + 1500);
      const ready = await httpGet(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('could not renew the lease within its renew deadline');
      const metrics = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_leader')).toBe(0);
      expect(metricValue(metrics, 'kube_patrol_lease_lost_total')).toBe(1);
      // Still down a while later: no scan was written meanwhile.
      const written = outcomes.filter((o) => o.ok).length;
      await new Promise((r) => setTimeout(r, 6000));
      expect(operator.isLeader).toBe(false);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(written);
      await apiserver.start();
      await waitUntil(() => operator.isLeader, 30_000, 'leading again');
      await waitUntil(() => outcomes.filter((o) => o.ok).length > written, 30_000, 'a scan after');
      expect((await httpGet(`${base}/readyz`)).status).toBe(200);
    } finally {
      await operator.stop();
    }
  });

  describe(`${SCALE} workloads`, () => {
    let install: OperatorInstall;
    let configFile: string;

    beforeAll(async () => {
      const started = Date.now();
      const objects = generateWorkloads(SCALE).map((o) => sanitizeGenerated(o as Obj));
      const namespaces = [...new Set(objects.map((o) => o.metadata.namespace!))];
      await createMany(
        admin,
        namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      );
      await createMany(admin, objects, 24);
      console.log(
        `created ${objects.length} workloads in ${namespaces.length} namespaces in ${Date.now() - started} ms`,
      );
      install = await installOperator(admin, controlPlane.kubeconfigPath);
      configFile = await writeConfig(dir, {
        scope: { namespaces: ['team-*'] },
        client: { qps: 20, burst: 40, pageSize: 500 },
        server: { port: 0, host: '127.0.0.1' },
      });
    }, 300_000);

    it('the report fits, and report get reads it back whole', async () => {
      const started = Date.now();
      const once = new OperatorProcess(
        ['--once', '--config', configFile, '--kubeconfig', install.kubeconfig, '-n', install.namespace],
        { NODE_OPTIONS: `--import=${join(process.cwd(), 'bench', 'peak-rss.ts')}` },
      );
      processes.push(once);
      const exit = await once.exited;
      const elapsedMs = Date.now() - started;
      expect(exit.code, once.stderr + JSON.stringify(once.logs)).toBe(0);
      const written = once.logs.find((l) => l['msg'] === 'scan written')!;
      const peakRssKb = Number(/PEAK_RSS_KB (\d+)/.exec(once.stderr)?.[1]);
      console.log(
        `operator --once over ${SCALE} workloads: ${elapsedMs} ms wall (scan ${written['durationMs']} ms), peak RSS ${Math.round(peakRssKb / 1024)} MiB, storage ${written['storage']}, ${written['requests']} list requests`,
      );
      expect(written['workloads']).toBe(SCALE);

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
      const report = JSON.parse(got.stdout) as InspectionReport;
      expect(report.summary.workloads).toBe(SCALE);
      expect(report.workloads).toHaveLength(SCALE);
      expect(report.findings.filter((f) => !f.exempted)).toHaveLength(report.summary.findings);
      expect(report.summary.findings).toBeGreaterThan(SCALE);
      const stored = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
      expect(stored.summary.findings).toBe(report.summary.findings);
      expect((await stored.file('report.html'))!.length).toBeGreaterThan(1_000_000);
      // Never over the object limit: every ConfigMap's payload is below 1 MiB.
      const cms = await admin.request<{
        items: { data?: Record<string, string>; binaryData?: Record<string, string> }[];
      }>('GET', `/api/v1/namespaces/${install.namespace}/configmaps`, {
        query: { labelSelector: 'app.kubernetes.io/name=kube-patrol' },
      });
      for (const cm of cms.items) {
        const bytes =
          Object.values(cm.data ?? {}).reduce((n, v) => n + Buffer.byteLength(v), 0) +
          Object.values(cm.binaryData ?? {}).reduce((n, v) => n + (v.length * 3) / 4, 0);
        expect(bytes).toBeLessThan(1024 * 1024);
      }
    });

    it('SIGTERM mid-scan: exits 0 promptly, abandons the scan, leaves the previous report and releases the lease', async () => {
      const before = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
      const slow = await writeConfig(dir, {
        scope: { namespaces: ['team-*'] },
        client: { qps: 2, burst: 1, pageSize: 100 },
        server: { port: 0, host: '127.0.0.1' },
      });
      const operator = new OperatorProcess([
        '--config',
        slow,
        '--kubeconfig',
        install.kubeconfig,
        '-n',
        install.namespace,
      ]);
      processes.push(operator);
      await operator.waitForMsg('scan started', 30_000);
      await new Promise((r) => setTimeout(r, 1500)); // a few pages into a ~30 s listing
      const signalled = Date.now();
      operator.kill('SIGTERM');
      const exit = await operator.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(operator.count('scan abandoned; the previous report stays')).toBe(1);
      expect(operator.count('scan written')).toBe(0);
      const after = await readStoredReport(admin, install.namespace, 'kube-patrol-report');
      expect(after.summary.scanId).toBe(before.summary.scanId);
      expect(after.history).toEqual(before.history);
      const lease = await admin.request<{ spec: { holderIdentity?: string | null } }>(
        'GET',
        `/apis/coordination.k8s.io/v1/namespaces/${install.namespace}/leases/kube-patrol-leader`,
      );
      expect(lease.spec.holderIdentity ?? null).toBeNull();
    });
  });
});
