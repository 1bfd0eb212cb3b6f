// The Prometheus component: its PrometheusRule checked and unit-tested by promtool (built from
// github.com/prometheus/prometheus/cmd/promtool), one firing and one non-firing case per alert; and every
// metric name in the alerts and the Grafana dashboard read from a real operator's /metrics.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import { repoRoot } from '../harness/controlplane.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  httpGet,
  installOperator,
  OperatorProcess,
  writeConfig,
} from './support/cluster.ts';
import { buildTool, run, TOOL_BUILD_TIMEOUT_MS } from './support/tools.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const COMPONENT = join(repoRoot, 'manifests', 'components', 'prometheus');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rule = parse(readFileSync(join(COMPONENT, 'prometheusrule.yaml'), 'utf8')) as {
  spec: { groups: { name: string; rules: AlertRule[] }[] };
};
const alerts = rule.spec.groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(join(COMPONENT, 'dashboards', 'kube-patrol.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { definition?: string }[] };
};

let promtool: string;
let dir: string;

beforeAll(() => {
  promtool = buildTool('promtool');
  dir = mkdtempSync(join(tmpdir(), 'kp-prometheus-it-'));
  // promtool reads a plain rules file: the PrometheusRule's spec is exactly that.
  writeFileSync(join(dir, 'rules.yaml'), stringify(rule.spec));
}, TOOL_BUILD_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const NS = 'namespace="kube-patrol"';
const series = (name: string, labels: string, values: string) => ({
  series: `${name}{${NS}${labels ? `,${labels}` : ''}}`,
  values,
});

/** Per alert: input series, when to evaluate, and whether it fires then. */
const CASES: Record<
  string,
  { name: string; input: ReturnType<typeof series>[]; at: string; fires: boolean }[]
> = {
  KubePatrolNewCriticalFindings: [
    {
      name: 'critical findings rose from 0 to 2',
      input: [series('kube_patrol_findings', 'severity="critical",instance="a"', '0x60 2x30')],
      at: '70m',
      fires: true,
    },
    {
      name: 'the same 2 critical findings for two hours (and more high ones)',
      input: [
        series('kube_patrol_findings', 'severity="critical",instance="a"', '2x120'),
        series('kube_patrol_findings', 'severity="high",instance="a"', '0x60 9x60'),
      ],
      at: '100m',
      fires: false,
    },
  ],
  KubePatrolScanFailing: [
    {
      name: 'the leader has failed for 24 minutes',
      input: [
        series('kube_patrol_last_scan_success', 'instance="a"', '1x10 0x30'),
        series('kube_patrol_leader', 'instance="a"', '1x40'),
      ],
      at: '35m',
      fires: true,
    },
    {
      name: 'only the standby (never scanned) says 0; the leader succeeds',
      input: [
        series('kube_patrol_last_scan_success', 'instance="a"', '1x40'),
        series('kube_patrol_leader', 'instance="a"', '1x40'),
        series('kube_patrol_last_scan_success', 'instance="b"', '0x40'),
        series('kube_patrol_leader', 'instance="b"', '0x40'),
      ],
      at: '35m',
      fires: false,
    },
  ],
  KubePatrolNoRecentScan: [
    {
      name: 'the last report was written 13 hours ago',
      input: [series('kube_patrol_last_successful_scan_timestamp_seconds', 'instance="a"', '3600x900')],
      at: '14h',
      fires: true,
    },
    {
      name: 'a report every 6 hours',
      // 0, then 21600 from 6 h, then 43200 from 12 h: time() - last success stays under 6 h.
      input: [
        series(
          'kube_patrol_last_successful_scan_timestamp_seconds',
          'instance="a"',
          '0x359 21600x360 43200x180',
        ),
      ],
      at: '14h',
      fires: false,
    },
  ],
  KubePatrolScoreDropped: [
    {
      name: 'score 90 then 80',
      input: [series('kube_patrol_score', 'instance="a"', '90x360 80x60')],
      at: '6h30m',
      fires: true,
    },
    {
      name: 'score 90 then 88',
      input: [series('kube_patrol_score', 'instance="a"', '90x360 88x60')],
      at: '6h30m',
      fires: false,
    },
  ],
  KubePatrolNoLeader: [
    {
      name: 'two replicas, neither leader, for 10 minutes',
      input: [
        series('kube_patrol_leader', 'instance="a"', '0x20'),
        series('kube_patrol_leader', 'instance="b"', '0x20'),
      ],
      at: '10m',
      fires: true,
    },
    {
      name: 'one leader and one standby',
      input: [
        series('kube_patrol_leader', 'instance="a"', '1x20'),
        series('kube_patrol_leader', 'instance="b"', '0x20'),
      ],
      at: '10m',
      fires: false,
    },
  ],
};

describe('manifests/components/prometheus: PrometheusRule', () => {
  it('passes promtool check rules', () => {
    const result = run(promtool, ['check', 'rules', join(dir, 'rules.yaml')]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`SUCCESS: ${alerts.length} rules found`));
  });

  it('has a firing and a non-firing promtool case for every alert', () => {
    expect(Object.keys(CASES).sort()).toEqual(alerts.map((a) => a.alert).sort());
    for (const cases of Object.values(CASES)) expect(cases.map((c) => c.fires).sort()).toEqual([false, true]);
  });

  it.each(alerts.map((a) => a.alert))('%s fires and does not fire as the promtool cases say', (name) => {
    const alert = alerts.find((a) => a.alert === name)!;
    const tests = CASES[name]!.map((c) => ({
      name: c.name,
      // Samples every minute: sparser ones fall out of Prometheus' 5-minute lookback between samples.
      interval: '1m',
      input_series: c.input,
      alert_rule_test: [
        {
          eval_time: c.at,
          alertname: name,
          exp_alerts: c.fires
            ? [
                {
                  exp_labels: { ...alert.labels, namespace: 'kube-patrol' },
                  exp_annotations: alert.annotations,
                },
              ]
            : [],
        },
      ],
    }));
    const file = join(dir, `${name}.test.yaml`);
    writeFileSync(file, stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    const result = run(promtool, ['test', 'rules', file], { cwd: dir });
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('is tested for real: a case that expects the wrong outcome fails (the control for the cases above)', () => {
    const [firing] = CASES['KubePatrolNoLeader']!;
    const file = join(dir, 'wrong.test.yaml');
    writeFileSync(
      file,
      stringify({
        rule_files: ['rules.yaml'],
        tests: [
          {
            interval: '1m',
            input_series: firing!.input,
            alert_rule_test: [{ eval_time: firing!.at, alertname: 'KubePatrolNoLeader', exp_alerts: [] }],
          },
        ],
      }),
    );
    const result = run(promtool, ['test', 'rules', file], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/FAILED/);
  });
});

describe('metric names in the alerts and the dashboard', () => {
  let admin: KubeClient;
  let operator: OperatorProcess | undefined;
  afterAll(() => {
    operator?.kill('SIGKILL');
    admin?.close();
  });

  it('are all exported by a running operator’s /metrics', async () => {
    admin = adminClient(adminKubeconfig);
    const workloads = await createNamespace(admin, 'metrics');
    await createMany(admin, [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: workloads },
        spec: { containers: [{ name: 'app', image: 'busybox:1.36', securityContext: { privileged: true } }] },
      },
    ]);
    const install = await installOperator(admin, adminKubeconfig);
    const config = await writeConfig(dir, {
      scope: { namespaces: [workloads] },
      server: { port: 0, host: '127.0.0.1' },
      leaderElection: { enabled: false },
    });
    operator = new OperatorProcess([
      '--config',
      config,
      '--kubeconfig',
      install.kubeconfig,
      '-n',
      install.namespace,
    ]);
    const started = await operator.waitForMsg('operator started');
    await operator.waitForMsg('scan written');
    const metrics = await httpGet(`http://127.0.0.1:${started['port'] as number}/metrics`);
    expect(metrics.status).toBe(200);
    const exported = new Set<string>();
    for (const [, name, type] of metrics.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name!);
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name! + suffix);
    }
    const used = new Set<string>();
    const exprs = [
      ...alerts.map((a) => a.expr),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
    ];
    for (const expr of exprs) for (const [name] of expr.matchAll(/\bkube_patrol_[a-z0-9_]+/g)) used.add(name);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
