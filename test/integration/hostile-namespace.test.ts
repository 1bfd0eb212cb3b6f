// Issue 21 against the shared real control plane: someone who can write ConfigMaps in the operator's
// namespace plants the report the operator and `kube-patrol report` read back; the operator's read RBAC is
// revoked; only the leader's path to the API server freezes. Each case asserts the outcome, the time it
// took and (for the operator) its peak RSS under the Deployment's NODE_OPTIONS, against its 768 MiB limit.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorConfigSchema } from '../../src/config/operator.ts';
import { Operator, type ScanOutcome } from '../../src/controller/operator.ts';
import { REPORT_DIGEST_ANNOTATION } from '../../src/controller/report-digest.ts';
import { connect, isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { renderReport } from '../../src/report/render/index.ts';
import { ReportNotFoundError } from '../../src/report/stored.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { mintServiceAccountKubeconfig, repoRoot } from '../harness/controlplane.ts';
import { brotliFindingBomb, brotliZeros, gzipFindingBomb } from '../support/bombs.ts';
import { PLANTED_SCAN, plantedSummary } from '../support/planted-report.ts';
import { REGISTRY } from '../support/registry.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  deployment,
  httpGet,
  installOperator,
  metricValue,
  OperatorProcess,
  runCli,
  writeConfig,
  type Obj,
  type OperatorInstall,
} from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const LIMIT_MIB = 768; // manifests/deployment.yaml resources.limits.memory
const DEPLOYMENT_NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=4';
const PEAK_RSS = `--import=${join(repoRoot, 'bench', 'peak-rss.ts')}`;
const REPORT = 'kube-patrol-report';

let admin: KubeClient;
let dir: string;
const clients: KubeClient[] = [];
const processes: OperatorProcess[] = [];
const measured: string[] = [];

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  dir = await mkdtemp(join(tmpdir(), 'kp-hostile-it-'));
});

afterAll(() => {
  for (const p of processes) p.kill('SIGKILL');
  for (const c of clients) c.close();
  admin.close();
  console.log(`measured bounds:\n${measured.join('\n')}`);
});

/** A namespace with one critical finding (a privileged Deployment) and one quieter Deployment. */
async function seed(): Promise<string> {
  const ns = await createNamespace(admin, 'wl');
  await createMany(admin, [deployment(ns, 'web', { privileged: true }), deployment(ns, 'api')]);
  return ns;
}

const cmPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

/** Writes (as admin: a namespace editor) a ConfigMap into the operator's namespace. */
async function plant(
  ns: string,
  name: string,
  data: Record<string, string>,
  binaryData: Record<string, string> = {},
): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data, binaryData };
  try {
    await admin.request('POST', cmPath(ns), { body });
  } catch (error) {
    if (!isApiStatus(error, 409)) throw error;
    const current = await admin.request<{ metadata: { resourceVersion: string } }>('GET', cmPath(ns, name));
    await admin.request('PUT', cmPath(ns, name), {
      body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } },
    });
  }
}

const SCAN = PLANTED_SCAN;
const summary = (extra: Record<string, unknown> = {}) =>
  plantedSummary({ storage: 'brotli', files: ['report.json', 'report.html'], ...extra });

/** The operator in this process, as the manifests' ServiceAccount, scanning `workloads`. */
function inProcessOperator(
  install: OperatorInstall,
  workloads: string,
  extra: Record<string, unknown> = {},
): Operator {
  const sa = connect({ kubeconfig: install.kubeconfig, qps: 50, burst: 100 });
  clients.push(sa);
  return new Operator({
    registry: REGISTRY,
    api: sa,
    config: operatorConfigSchema.parse({
      scope: { namespaces: [workloads] },
      server: { port: 0, host: '127.0.0.1' },
      ...extra,
    }),
    namespace: install.namespace,
    identity: 't',
    cluster: 't',
    logger: pino({ level: 'silent' }),
  });
}

interface Run {
  code: number | null;
  ms: number;
  peakMiB: number;
  logs: Record<string, unknown>[];
  stderr: string;
}

/** `kube-patrol operator --once` as the manifests' ServiceAccount, with the Deployment's heap flags. */
async function operatorOnce(install: OperatorInstall, workloads: string): Promise<Run> {
  const config = await writeConfig(dir, { scope: { namespaces: [workloads] } });
  const started = Date.now();
  const p = new OperatorProcess(
    ['--once', '--config', config, '--kubeconfig', install.kubeconfig, '-n', install.namespace],
    { NODE_OPTIONS: `${DEPLOYMENT_NODE_OPTIONS} ${PEAK_RSS}` },
  );
  processes.push(p);
  const exit = await p.exited;
  const peak = Number(/PEAK_RSS_KB (\d+)/.exec(p.stderr)?.[1]) / 1024;
  return {
    code: exit.code,
    ms: Date.now() - started,
    peakMiB: Math.round(peak),
    logs: p.logs,
    stderr: p.stderr,
  };
}

function cliMeasured(args: string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakMiB: number;
} {
  const started = Date.now();
  const result = runCli(args, { NODE_OPTIONS: PEAK_RSS });
  const peak = Number(/PEAK_RSS_KB (\d+)/.exec(result.stderr)?.[1]) / 1024;
  return { ...result, ms: Date.now() - started, peakMiB: Math.round(peak) };
}

const rejected = (run: Run) =>
  run.logs.find(
    (l) => l['msg'] === 'cannot use the previous report: this scan has no diff, and its write replaces it',
  );

async function events(ns: string): Promise<{ reason: string; message: string }[]> {
  const list = await admin.request<{ items: { reason: string; message: string }[] }>(
    'GET',
    `/api/v1/namespaces/${ns}/events`,
  );
  return list.items.filter((e) => e.reason === 'NewCriticalFindings');
}

describe('planted previous reports: the operator scans on, replaces them, and stays bounded', () => {
  const cases: { name: string; problem: RegExp; plant: (ns: string) => Promise<void> }[] = [
    {
      name: 'summary.json with files: null',
      problem: /schema/,
      plant: (ns) => plant(ns, REPORT, { 'summary.json': summary({ files: null }) }),
    },
    {
      name: 'report.json of {}',
      problem: /schema/,
      plant: (ns) => plant(ns, REPORT, { 'summary.json': summary({ storage: 'data' }), 'report.json': '{}' }),
    },
    {
      name: 'a corrupt gzip',
      problem: /corrupt/,
      plant: async (ns) => {
        const gz = gzipSync('{"apiVersion":"kube-patrol.io/v1alpha1","kind":"InspectionReport"}'.repeat(50));
        gz.fill(0x55, 12, 40);
        await plant(
          ns,
          REPORT,
          { 'summary.json': summary({ storage: 'gzip' }) },
          { 'report.json.gz': gz.toString('base64') },
        );
      },
    },
    {
      name: '1 GiB of repeated finding lines in 4 KB of brotli',
      problem: /schema|limit/,
      plant: async (ns) => {
        const bomb = await brotliFindingBomb(1 << 30);
        await plant(ns, REPORT, { 'summary.json': summary() }, { 'report.json.br': bomb.toString('base64') });
      },
    },
    {
      name: 'brotli of 64 MiB of zeros',
      problem: /corrupt/,
      plant: async (ns) => {
        const zeros = await brotliZeros(64 << 20);
        await plant(
          ns,
          REPORT,
          { 'summary.json': summary() },
          { 'report.json.br': zeros.toString('base64') },
        );
      },
    },
    {
      name: 'a parts list naming one 700 KB part 1,000 times',
      problem: /limit/,
      plant: async (ns) => {
        const part = `${REPORT}-${SCAN}-part-1`;
        const bytes = randomBytes(700 * 1024);
        await plant(ns, part, {}, { 'report.json.br': bytes.toString('base64') });
        const parts = Array.from({ length: 1000 }, () => ({ configMap: part, key: 'report.json.br' }));
        const manifest = {
          files: { 'report.json.br': { parts, bytes: bytes.length * 1000, sha256: 'a'.repeat(64) } },
        };
        await plant(ns, REPORT, {
          'summary.json': summary({ storage: 'split' }),
          'parts.json': JSON.stringify(manifest),
        });
      },
    },
  ];

  for (const planted of cases) {
    it(planted.name, async () => {
      const workloads = await seed();
      const install = await installOperator(admin, adminKubeconfig);
      await planted.plant(install.namespace);
      const first = await operatorOnce(install, workloads);
      measured.push(`operator --once, ${planted.name}: ${first.ms} ms, peak RSS ${first.peakMiB} MiB`);
      expect(first.code, first.stderr + JSON.stringify(first.logs)).toBe(0);
      expect(rejected(first)?.['problem']).toMatch(planted.problem);
      expect(first.logs.some((l) => l['msg'] === 'scan written')).toBe(true);
      expect(first.ms).toBeLessThan(60_000);
      expect(first.peakMiB).toBeLessThan(LIMIT_MIB);
      // The broken report was replaced; the next scan reads it back and diffs against it.
      const stored = await readStoredReport(admin, install.namespace, REPORT);
      expect(stored.summary.scanId).not.toBe(SCAN);
      expect((await stored.diffBase()).findings.length).toBeGreaterThan(0);
      const second = await operatorOnce(install, workloads);
      expect(second.code).toBe(0);
      expect(rejected(second)).toBeUndefined();
      const written = second.logs.find((l) => l['msg'] === 'scan written')!;
      expect(written['workloads']).toBe(2);
      expect((await readStoredReport(admin, install.namespace, REPORT)).summary.diff).toMatchObject({
        new: 0,
        newCritical: 0,
      });
    });
  }

  it('the rejection is counted in a metric (in-process operator)', async () => {
    const workloads = await seed();
    const install = await installOperator(admin, adminKubeconfig);
    await plant(install.namespace, REPORT, { 'summary.json': summary({ files: null }) });
    const operator = inProcessOperator(install, workloads);
    expect((await operator.runOnce()).ok).toBe(true);
    const metrics = await operator.metrics.registry.metrics();
    expect(metricValue(metrics, 'kube_patrol_previous_report_rejected_total', 'problem="schema"')).toBe(1);
  });

  it('a forged previous report holding the critical finding does not suppress the Warning Event', async () => {
    const workloads = await seed();
    // A genuine report of these workloads, written by another install: a perfect forgery of "nothing new".
    const genuine = await installOperator(admin, adminKubeconfig);
    expect((await operatorOnce(genuine, workloads)).code).toBe(0);
    const source = await admin.request<{
      data?: Record<string, string>;
      binaryData?: Record<string, string>;
    }>('GET', cmPath(genuine.namespace, REPORT));
    const target = await installOperator(admin, adminKubeconfig);
    await plant(target.namespace, REPORT, source.data ?? {}, source.binaryData ?? {});
    const run = await operatorOnce(target, workloads);
    expect(run.code).toBe(0);
    expect(rejected(run)?.['problem']).toBe('digest');
    const posted = await events(target.namespace);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.message).toContain('privileged on Deployment');
    // Its own report next time: diffed (its digest is in the Lease), nothing new, no second Event.
    const lease = await admin.request<{ metadata: { annotations?: Record<string, string> } }>(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${target.namespace}/leases/kube-patrol-leader`,
    );
    expect(lease.metadata.annotations?.[REPORT_DIGEST_ANNOTATION]).toMatch(
      /^\d{8}-\d{6}-[0-9a-f]{4} [0-9a-f]{64}$/,
    );
    const again = await operatorOnce(target, workloads);
    expect(rejected(again)).toBeUndefined();
    expect(await events(target.namespace)).toHaveLength(1);
    // Rewriting the stored findings (dropping the critical one) breaks the digest: the Event comes again.
    const stored = await readStoredReport(admin, target.namespace, REPORT);
    const report = await stored.report();
    const quiet = { ...report, findings: report.findings.filter((f) => f.severity !== 'critical') };
    const cm = await admin.request<{ data?: Record<string, string> }>(
      'GET',
      cmPath(target.namespace, REPORT),
    );
    await plant(target.namespace, REPORT, {
      ...cm.data,
      'summary.json': JSON.stringify({ ...stored.summary, storage: 'data', files: ['report.json'] }),
      'report.json': JSON.stringify(quiet),
    });
    expect(rejected(await operatorOnce(target, workloads))?.['problem']).toMatch(/digest|schema/);
    expect(await events(target.namespace)).toHaveLength(2);
  });

  it('the digest is out of reach of a ConfigMap writer; a namespace editor is the operator already (ADR 0009)', async () => {
    const install = await installOperator(admin, adminKubeconfig);
    // A principal that may write ConfigMaps in the operator's namespace, and nothing else.
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await createMany(admin, [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'writer', namespace: install.namespace },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'configmap-writer', namespace: install.namespace },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'configmap-writer', namespace: install.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-writer' },
        subjects: [{ kind: 'ServiceAccount', name: 'writer', namespace: install.namespace }],
      },
    ]);
    const writer = connect({
      kubeconfig: await mintServiceAccountKubeconfig(adminKubeconfig, install.namespace, 'writer'),
    });
    clients.push(writer);
    await plant(install.namespace, REPORT, { 'summary.json': summary() });
    expect(await writer.request('GET', cmPath(install.namespace, REPORT))).toBeTruthy();
    const leases = `/apis/coordination.k8s.io/v1/namespaces/${install.namespace}/leases`;
    const refused = await writer
      .request('POST', leases, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: 'kube-patrol-leader',
            annotations: { [REPORT_DIGEST_ANNOTATION]: `${SCAN} ${'0'.repeat(64)}` },
          },
          spec: {},
        },
      })
      .then(
        () => 'allowed',
        (e: unknown) => (isApiStatus(e, 403) ? 'forbidden' : String(e)),
      );
    expect(refused).toBe('forbidden');

    // The edit role (aggregated from system:aggregate-to-edit; no controller-manager runs here to fill it
    // in) may update Leases, but it may also impersonate the operator's ServiceAccount and replace its
    // Deployment: whoever holds it is the operator as far as the cluster can tell.
    type Rules = { apiGroups?: string[]; resources?: string[]; verbs: string[] }[];
    const edit =
      (await admin.request<{ rules: Rules | null }>('GET', `${rbac}/clusterroles/system:aggregate-to-edit`))
        .rules ?? [];
    const grants = (group: string, resource: string, verb: string) =>
      edit.some(
        (r) =>
          (r.apiGroups ?? ['']).some((g) => g === group || g === '*') &&
          (r.resources ?? []).some((x) => x === resource || x === '*') &&
          r.verbs.some((v) => v === verb || v === '*'),
      );
    expect(grants('', 'configmaps', 'update')).toBe(true);
    expect(grants('coordination.k8s.io', 'leases', 'update')).toBe(true);
    expect(grants('', 'serviceaccounts', 'impersonate')).toBe(true);
    expect(grants('apps', 'deployments', 'update')).toBe(true);
  });
});

describe('kube-patrol report on planted reports', () => {
  let install: OperatorInstall;
  const args = () => ['--kubeconfig', install.kubeconfig, '-n', install.namespace];

  beforeAll(async () => {
    install = await installOperator(admin, adminKubeconfig);
  });

  it('report get on gzip and brotli bombs: a clear error, bounded time and memory', async () => {
    const gz = await gzipFindingBomb(200 << 20);
    const br = await brotliFindingBomb(1 << 30);
    for (const [label, key, bytes] of [
      [`gzip bomb (${Math.round(gz.length / 1024)} KB)`, 'report.json.gz', gz],
      [`brotli bomb (${Math.round(br.length / 1024)} KB)`, 'report.json.br', br],
    ] as const) {
      await plant(
        install.namespace,
        REPORT,
        { 'summary.json': summary({ storage: key.endsWith('gz') ? 'gzip' : 'brotli' }) },
        { [key]: bytes.toString('base64') },
      );
      const got = cliMeasured(['report', 'get', '-o', 'json', ...args()]);
      measured.push(`report get, ${label}: ${got.ms} ms, peak RSS ${got.peakMiB} MiB`);
      expect(got.status, got.stderr).toBe(2);
      expect(got.stderr).toContain('the stored report cannot be used');
      expect(got.stdout).toBe('');
      expect(got.ms).toBeLessThan(60_000);
      expect(got.peakMiB).toBeLessThan(LIMIT_MIB);
    }
  });

  it('report open and --out-dir write HTML rendered from the validated JSON, never the stored bytes; get, history and diff print no raw controls', async () => {
    const workloads = await seed();
    const own = await installOperator(admin, adminKubeconfig);
    expect((await operatorOnce(own, workloads)).code).toBe(0);
    expect((await operatorOnce(own, workloads)).code).toBe(0);
    const stored = await readStoredReport(admin, own.namespace, REPORT);
    const report = await stored.report();
    // A name with terminal controls (CSI via ESC and C1, a bidi override) and a planted HTML page.
    const hostile = `web\u001b[2J\u009b31m\u202e`;
    const edited: InspectionReport = {
      ...report,
      findings: report.findings.map((f) => ({
        ...f,
        message: `${f.message} ${hostile}`,
        workload: { ...f.workload, name: `${f.workload.name}${hostile}` },
      })),
      workloads: report.workloads.map((w) => ({ ...w, name: `${w.name}${hostile}` })),
    };
    const planted = '<html><body><script>document.title="pwned"</script></body></html>';
    const cm = await admin.request<{ data?: Record<string, string> }>('GET', cmPath(own.namespace, REPORT));
    await plant(own.namespace, REPORT, {
      ...cm.data,
      'summary.json': JSON.stringify({ ...stored.summary, storage: 'data' }),
      'report.json': JSON.stringify(edited),
      'report.html': planted,
    });
    const flags = ['--kubeconfig', own.kubeconfig, '-n', own.namespace];
    const out = join(dir, `out-${randomBytes(3).toString('hex')}`);
    expect(runCli(['report', 'get', '--out-dir', out, ...flags]).status).toBe(0);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('pwned');
    expect(html).toContain('Content-Security-Policy');
    const reread = await (await readStoredReport(admin, own.namespace, REPORT)).report();
    expect(html).toBe(renderReport(reread, 'html', { rules: REGISTRY.meta }));
    const file = join(dir, `open-${randomBytes(3).toString('hex')}.html`);
    const opened = runCli(['report', 'open', '--no-browser', '-f', file, ...flags]);
    expect(opened.status, opened.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(html);

    for (const command of [
      ['report', 'get'],
      ['report', 'get', '-o', 'json'],
      ['report', 'get', '-o', 'yaml'],
      ['report', 'history'],
      ['report', 'diff'],
      ['report', 'diff', '-o', 'json'],
    ]) {
      const result = runCli([...command, ...flags]);
      expect(result.status, `${command.join(' ')}: ${result.stderr}`).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(result.stdout + result.stderr, command.join(' ')).not.toMatch(/[\u001b\u009b\u202e]/);
    }
    const json = runCli(['report', 'get', '-o', 'json', ...flags]);
    expect((JSON.parse(json.stdout) as InspectionReport).workloads[0]!.name).toContain(hostile); // exact, escaped
  });
});

describe('a blind API: revoked read RBAC', () => {
  function readerRules(keep: (resource: string) => boolean) {
    return (objects: Obj[]) =>
      objects.map((o) => {
        if (o.kind !== 'ClusterRole') return o;
        const rules = (o['rules'] as { resources: string[] }[])
          .map((r) => ({ ...r, resources: r.resources.filter((x) => x === 'namespaces' || keep(x)) }))
          .filter((r) => r.resources.length > 0);
        return { ...o, rules };
      });
  }

  async function start(install: OperatorInstall, workloads: string) {
    const operator = inProcessOperator(install, workloads, {
      schedule: '*/2 * * * * *',
      leaderElection: { enabled: false },
    });
    const outcomes: ScanOutcome[] = [];
    operator.onScan = (o) => outcomes.push(o);
    await operator.start();
    return { operator, outcomes, base: `http://127.0.0.1:${operator.port}` };
  }

  it('every workload kind forbidden: a failed scan, nothing written, /readyz 503, last_scan_success 0', async () => {
    const workloads = await seed();
    const install = await installOperator(
      admin,
      adminKubeconfig,
      readerRules(() => false),
    );
    const { operator, outcomes, base } = await start(install, workloads);
    try {
      await waitUntil(() => outcomes.length >= 1, 20_000, 'the first scan');
      expect(outcomes[0]).toMatchObject({ ok: false, stage: 'list' });
      expect(outcomes[0]!.error!.message).toMatch(/forbidden to list any workload kind/);
      const ready = await httpGet(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('forbidden to list any workload kind');
      const metrics = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_last_scan_success')).toBe(0);
      expect(metricValue(metrics, 'kube_patrol_scan_partial')).toBe(1);
      await expect(readStoredReport(admin, install.namespace, REPORT)).rejects.toBeInstanceOf(
        ReportNotFoundError,
      );
    } finally {
      await operator.stop();
    }
  });

  it('RBAC revoked after a good scan: the next scan fails and the good report stays', async () => {
    const workloads = await seed();
    const install = await installOperator(admin, adminKubeconfig);
    const { operator, outcomes, base } = await start(install, workloads);
    try {
      await waitUntil(() => outcomes.some((o) => o.ok), 20_000, 'a good scan');
      const good = outcomes.find((o) => o.ok)!;
      expect(good.report!.summary.score).not.toBeNull();
      const bindings = await admin.request<{ items: { metadata: { name: string } }[] }>(
        'GET',
        '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      );
      // Revoke just after a scan ends (they run every 2 s), so no scan straddles the revocation: one that
      // listed some kinds before it and was refused the rest after would write a partial report, which
      // is right for that scan but not the case under test.
      const ended = outcomes.length;
      await waitUntil(() => outcomes.length > ended, 20_000, 'the end of a scan');
      for (const b of bindings.items.filter((x) => x.metadata.name.endsWith(install.namespace)))
        await admin.request(
          'DELETE',
          `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${b.metadata.name}`,
        );
      const seen = outcomes.length;
      await waitUntil(() => outcomes.slice(seen).some((o) => !o.ok), 30_000, 'a failed scan');
      expect(outcomes.slice(seen).find((o) => !o.ok)).toMatchObject({ stage: 'list' });
      expect((await httpGet(`${base}/readyz`)).status).toBe(503);
      const metrics = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_last_scan_success')).toBe(0);
      const stored = await readStoredReport(admin, install.namespace, REPORT);
      expect(stored.summary.workloads).toBe(2);
      expect(stored.summary.score).toBe(good.report!.summary.score);
    } finally {
      await operator.stop();
    }
  });

  it('one kind forbidden: a partial report (coverage, no score), summary.json partial, /readyz 503, scan_partial 1', async () => {
    const workloads = await seed();
    const install = await installOperator(
      admin,
      adminKubeconfig,
      readerRules((r) => r !== 'cronjobs'),
    );
    const { operator, outcomes, base } = await start(install, workloads);
    try {
      await waitUntil(() => outcomes.length >= 1, 20_000, 'the first scan');
      const outcome = outcomes[0]!;
      expect(outcome).toMatchObject({ ok: true, partial: true });
      const report = outcome.report!;
      expect(report.summary.score).toBeNull();
      expect(report.summary.scoreWithheld).toBe('partial');
      expect(report.coverage).toMatchObject({
        partial: true,
        denied: [{ kind: 'CronJob', namespace: workloads, status: 403 }],
        namespacesSeen: 1,
      });
      expect(report.coverage!.kindsListed).not.toContain('CronJob');
      expect(report.coverage!.kindsListed).toContain('Deployment');
      const ready = await httpGet(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('last scan partial');
      expect(ready.body).toContain(`CronJob in ${workloads}`);
      const metrics = (await httpGet(`${base}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_last_scan_success')).toBe(0);
      expect(metricValue(metrics, 'kube_patrol_scan_partial')).toBe(1);
      expect(metricValue(metrics, 'kube_patrol_last_successful_scan_timestamp_seconds')).toBe(0);
      const stored = await readStoredReport(admin, install.namespace, REPORT);
      expect(stored.summary).toMatchObject({ partial: true, score: null, scoreWithheld: 'partial' });
      const html = await stored.file('report.html');
      expect(html).toContain('Partial scan');
      expect(html).not.toMatch(/class="num">100</);
      const sarif = JSON.parse(renderReport(await stored.report(), 'sarif', { rules: REGISTRY.meta })) as {
        runs: { invocations: { executionSuccessful: boolean }[]; properties: { coverage: unknown } }[];
      };
      expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
      expect(sarif.runs[0]!.properties.coverage).toMatchObject({ partial: true });
    } finally {
      await operator.stop();
    }
  });
});

/** A TCP proxy to the API server that can be frozen: bytes stop flowing both ways until thawed. */
async function freezableProxy(target: URL) {
  let frozen = false;
  const queues: (() => void)[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pipe = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (frozen) queues.push(() => to.write(chunk));
        else to.write(chunk);
      });
    pipe(client, upstream);
    pipe(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => (frozen = true),
    thaw: () => {
      frozen = false;
      for (const write of queues.splice(0)) write();
    },
    close: () => server.close(),
  };
}

describe('leader election by the book', () => {
  it('only the leader’s path frozen: it stops leading within the renew deadline, the standby takes over after the lease duration, never two leaders or two writers', async () => {
    const workloads = await seed();
    const install = await installOperator(admin, adminKubeconfig);
    const kubeconfig = parse(await readFile(install.kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
    };
    const server = new URL(kubeconfig.clusters[0]!.cluster.server);
    const proxy = await freezableProxy(server);
    kubeconfig.clusters[0]!.cluster.server = `https://127.0.0.1:${proxy.port}`;
    const proxied = join(dir, `proxied-${randomBytes(3).toString('hex')}.kubeconfig`);
    await writeFile(proxied, stringify(kubeconfig));
    const election = { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 };
    const config = await writeConfig(dir, {
      scope: { namespaces: [workloads] },
      schedule: '*/2 * * * * *',
      server: { port: 0, host: '127.0.0.1' },
      leaderElection: election,
    });
    const start = (name: string, kc: string) => {
      const p = new OperatorProcess(['--config', config, '--kubeconfig', kc, '-n', install.namespace], {
        POD_NAME: name,
      });
      processes.push(p);
      return p;
    };
    const a = start('replica-a', proxied);
    try {
      await a.waitForMsg('scan written', 30_000);
      const b = start('replica-b', install.kubeconfig);
      await b.waitForMsg('operator started', 30_000);
      const port = (p: OperatorProcess) =>
        p.logs.find((l) => l['msg'] === 'operator started')!['port'] as number;
      const leaderGauge = async (p: OperatorProcess) =>
        metricValue((await httpGet(`http://127.0.0.1:${port(p)}/metrics`)).body, 'kube_patrol_leader');
      await new Promise((r) => setTimeout(r, 2000));
      expect(await leaderGauge(a)).toBe(1);
      expect(await leaderGauge(b)).toBe(0);

      // Sample both replicas' gauges while A's path is frozen and after it thaws.
      let sampling = true;
      let both = 0;
      const samples: string[] = [];
      const sampler = (async () => {
        while (sampling) {
          const [x, y] = await Promise.all([leaderGauge(a), leaderGauge(b)]);
          samples.push(`${x}${y}`);
          if (x === 1 && y === 1) both++;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const frozenAt = Date.now();
      proxy.freeze();
      const lost = await a.waitForMsg('lost leadership: no more scans or writes', 15_000, frozenAt);
      const lostMs = (lost['time'] as number) - frozenAt;
      const took = await b.waitForMsg('became leader: scanning', 30_000, frozenAt);
      const tookMs = (took['time'] as number) - frozenAt;
      const ready = await httpGet(`http://127.0.0.1:${port(a)}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('could not renew the lease within its renew deadline');
      const aMetrics = (await httpGet(`http://127.0.0.1:${port(a)}/metrics`)).body;
      expect(metricValue(aMetrics, 'kube_patrol_lease_lost_total')).toBe(1);
      const bWrote = await b.waitForMsg('scan written', 30_000, frozenAt);
      proxy.thaw();
      await new Promise((r) => setTimeout(r, 5000)); // A sees B's lease and stays a standby
      sampling = false;
      await sampler;
      measured.push(
        `frozen leader: stopped leading ${lostMs} ms after the freeze (renew deadline ${election.renewDeadlineSeconds} s), the standby led after ${tookMs} ms (lease ${election.leaseDurationSeconds} s); ${samples.length} samples, ${both} with two leaders`,
      );
      expect(lostMs).toBeLessThanOrEqual(election.renewDeadlineSeconds * 1000 + 1000);
      expect(tookMs).toBeGreaterThan(lostMs);
      expect(both).toBe(0);
      // Writers: A wrote nothing after it stopped leading (not even once its stalled requests went through).
      const aWrites = a.logs.filter((l) => l['msg'] === 'scan written').map((l) => l['time'] as number);
      expect(aWrites.every((t) => t < (lost['time'] as number))).toBe(true);
      expect(aWrites.every((t) => t < (bWrote['time'] as number))).toBe(true);
      expect(a.count('became leader: scanning')).toBe(1);
      const stored = await readStoredReport(admin, install.namespace, REPORT);
      expect(b.logs.filter((l) => l['msg'] === 'scan written').map((l) => l['scanId'])).toContain(
        stored.summary.scanId,
      );
      expect((await httpGet(`http://127.0.0.1:${port(a)}/readyz`)).body).toContain('standby');
    } finally {
      proxy.thaw();
      proxy.close();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
