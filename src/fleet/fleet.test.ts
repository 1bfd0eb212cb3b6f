import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeApiError, KubeConnectionError, type KubeApi } from '../kube/client.ts';
import { collectFleet, incomplete } from './collect.ts';
import { buildFleetReport, digestReport } from './digest.ts';
import type { FleetTarget } from './model.ts';
import { formatAge, renderFleetHtml, trendPoints } from './render.ts';
import { FleetTargetError, kubeconfigContexts, targetsFromFleetFile } from './targets.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const counts = (critical = 0, high = 0) => ({ critical, high, medium: 0, low: 0, info: 0 });

let nextId = 0;
const finding = (
  ruleId: string,
  name: string,
  severity: 'critical' | 'high' | 'low' = 'high',
  exempted?: { by: 'annotation' | 'config'; reason: string },
) => ({
  id: `f${nextId++}`,
  ruleId,
  severity,
  category: 'pod-security' as const,
  pss: null,
  workload: { kind: 'Deployment', namespace: 'shop', name },
  container: 'app',
  path: 'spec.containers[0]',
  messageId: 'm',
  data: {},
  ...(exempted ? { exempted } : {}),
  message: `${ruleId} on ${name}`,
  remediation: 'fix it',
});

const RULES = [
  { id: 'privileged', title: 'Privileged containers', severity: 'critical' as const },
  { id: 'host-network', title: 'Host network', severity: 'high' as const },
  { id: 'probes-missing', title: 'Probes missing', severity: 'low' as const },
].map((r) => ({ ...r, category: 'pod-security' as const, pss: null, subject: 'pod-spec' as const }));

/** A whole report as kube-patrol writes it (the stored-report reader checks every field). */
function report(findings: ReturnType<typeof finding>[], rules = RULES) {
  const names = [...new Set(findings.map((f) => f.workload.name))];
  return {
    apiVersion: 'kube-patrol.io/v1alpha1',
    kind: 'InspectionReport',
    metadata: {
      generatedAt: '2026-12-01T11:00:00Z',
      source: 'cluster',
      pssVersion: 'v1.35',
      lang: 'en',
      tool: { name: 'kube-patrol', version: 't' },
    },
    summary: {
      score: 80,
      workloads: names.length,
      findings: findings.length,
      exempted: 0,
      bySeverity: counts(),
      skipped: {},
    },
    rules,
    workloads: names.map((name) => ({ kind: 'Deployment', namespace: 'shop', name, score: 80, findings: 1 })),
    findings,
    errors: [],
  };
}

/** A report ConfigMap as the sink writes it in `data` storage. */
function configMap(
  generatedAt: string,
  body: unknown,
  overrides: { summary?: unknown; history?: unknown; files?: string[] } = {},
) {
  const summary = overrides.summary ?? {
    scanId: '20261201-110000-a1b2',
    generatedAt,
    score: 80,
    workloads: 3,
    findings: 4,
    exempted: 1,
    bySeverity: counts(1, 3),
    errors: 0,
    storage: 'data',
    files: overrides.files ?? ['report.json'],
  };
  return {
    metadata: { name: 'kube-patrol-report' },
    data: {
      'summary.json': JSON.stringify(summary),
      'history.json': JSON.stringify(
        overrides.history ?? [
          {
            scanId: '20261201-110000-a1b2',
            generatedAt,
            configMap: 'kube-patrol-report-20261201-110000-a1b2',
            score: 80,
            findings: 4,
            bySeverity: counts(1, 3),
          },
          {
            scanId: '20261130-120000-a1b3',
            generatedAt: '2026-11-30T12:00:00Z',
            configMap: 'kube-patrol-report-20261130-120000-a1b3',
            score: 60,
            findings: 9,
            bySeverity: counts(2, 7),
          },
        ],
      ),
      ...(typeof body === 'string'
        ? { 'report.json': body }
        : body === undefined
          ? {}
          : { 'report.json': JSON.stringify(body) }),
    },
  };
}

type Behaviour = { cm?: unknown; error?: Error; delayMs?: number };

function fakeApi(behaviour: Behaviour, track?: { open: number; max: number }): KubeApi & { close(): void } {
  return {
    async request<T>(method: string, path: string): Promise<T> {
      if (track) track.max = Math.max(track.max, ++track.open);
      try {
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
        if (behaviour.error) throw behaviour.error;
        if (!path.endsWith('/kube-patrol-report') || behaviour.cm === undefined)
          throw new KubeApiError(method, path, 404, 'NotFound', 'not found');
        return structuredClone(behaviour.cm) as T;
      } finally {
        if (track) track.open--;
      }
    },
    watch: () => Promise.resolve(),
    close: () => undefined,
  };
}

const target = (name: string): FleetTarget => ({
  context: name,
  name,
  namespace: 'kube-patrol',
  configMap: 'kube-patrol-report',
});

async function collect(
  behaviours: Record<string, Behaviour>,
  options: { concurrency?: number; track?: { open: number; max: number } } = {},
) {
  return collectFleet(Object.keys(behaviours).map(target), {
    now: NOW,
    staleAfterSeconds: 86400,
    concurrency: options.concurrency ?? 4,
    connect: (t) => {
      if (t.context === 'broken') throw new Error('context "broken" not found in the kubeconfig');
      return fakeApi(behaviours[t.context]!, options.track);
    },
  });
}

const fleetOf = (
  rows: Awaited<ReturnType<typeof collect>>,
  lang: 'en' | 'zh-CN' = 'en',
  staleAfterSeconds = 86400,
) => buildFleetReport({ now: NOW, lang, toolVersion: 't', staleAfterSeconds, clusters: rows });

describe('digestReport', () => {
  it('counts unexempted findings per rule at their worst severity, worst rules first', () => {
    const digest = digestReport({
      rules: RULES,
      findings: [
        finding('host-network', 'a'),
        finding('host-network', 'a'),
        finding('host-network', 'b'),
        finding('probes-missing', 'a', 'low'),
        finding('probes-missing', 'b', 'critical'), // a severity override
        finding('privileged', 'c', 'critical', { by: 'annotation', reason: 'r' }),
      ],
    });
    expect(digest.rules.map((r) => [r.id, r.severity, r.findings, r.workloads])).toEqual([
      ['probes-missing', 'critical', 2, 2],
      ['host-network', 'high', 3, 2],
    ]);
    expect([...digest.failing.keys()].length).toBe(2);
    expect(digest.failing.get('Deployment\u0000shop\u0000b')!.worst).toBe('critical');
  });
});

describe('buildFleetReport', () => {
  it('ranks rules by clusters failing and finds workloads failing everywhere, with the rules they share', async () => {
    const rows = await collect({
      one: {
        cm: configMap(
          '2026-12-01T11:00:00Z',
          report([
            finding('privileged', 'web', 'critical'),
            finding('host-network', 'web'),
            finding('host-network', 'api'),
          ]),
        ),
      },
      two: {
        cm: configMap(
          '2026-12-01T11:00:00Z',
          report([finding('privileged', 'web', 'critical'), finding('host-network', 'api')]),
        ),
      },
      three: {
        cm: configMap(
          '2026-12-01T11:00:00Z',
          report([finding('privileged', 'web', 'critical'), finding('probes-missing', 'db', 'low')]),
        ),
      },
      down: { error: new KubeConnectionError('GET', '/x', new Error('connect ECONNREFUSED')) },
    });
    const fleet = fleetOf(rows);
    expect(fleet.rules.map((r) => [r.id, r.clusters.length])).toEqual([
      ['privileged', 3],
      ['host-network', 2],
      ['probes-missing', 1],
    ]);
    expect(fleet.workloads.map((w) => [w.name, w.clusters.length, w.everywhere, w.commonRules])).toEqual([
      ['web', 3, true, ['privileged']],
      ['api', 2, false, ['host-network']],
    ]);
    expect(fleet.summary).toMatchObject({ clusters: 4, read: 3, unreadable: 1, score: 80, workloads: 9 });
    expect(fleet.summary.bySeverity.critical).toBe(3);
  });
});

describe('collectFleet', () => {
  it('makes a row of every failure and never throws', async () => {
    const rows = await collect({
      fresh: { cm: configMap('2026-12-01T11:00:00Z', report([finding('host-network', 'a')])) },
      old: { cm: configMap('2026-11-20T11:00:00Z', report([])) },
      refused: { error: new KubeApiError('GET', '/x', 403, 'Forbidden', 'cannot get configmaps') },
      down: { error: new KubeConnectionError('GET', '/x', new Error('connect ECONNREFUSED')) },
      empty: {},
      garbage: {
        cm: configMap('2026-12-01T11:00:00Z', report([]), { summary: { scanId: 1, score: '<b>' } }),
      },
      notjson: { cm: configMap('2026-12-01T11:00:00Z', 'not json') },
      noreport: { cm: configMap('2026-12-01T11:00:00Z', undefined, { files: ['report.html'] }) },
      badreport: {
        cm: configMap('2026-12-01T11:00:00Z', {
          ...report([]),
          findings: [{ ruleId: 'x', severity: 'awful' }],
        }),
      },
      broken: {},
    });
    const byName = Object.fromEntries(rows.map((r) => [r.row.name, r.row]));
    expect(rows.map((r) => [r.row.name, r.row.status, incomplete(r.row)])).toEqual([
      ['fresh', 'ok', false],
      ['old', 'stale', false],
      ['refused', 'forbidden', true],
      ['down', 'unreachable', true],
      ['empty', 'no-report', true],
      ['garbage', 'invalid', true],
      ['notjson', 'ok', true],
      ['noreport', 'ok', true],
      ['badreport', 'ok', true],
      ['broken', 'config-error', true],
    ]);
    expect(byName['fresh']!.trend.map((p) => p.score)).toEqual([60, 80]);
    expect(byName['fresh']!.scan!.ageSeconds).toBe(3600);
    expect(byName['old']!.problem).toContain('265 h old');
    expect(byName['garbage']!.problem).toMatch(/summary\.json: scanId: /);
    expect(byName['notjson']!.problem).toMatch(
      /^ConfigMap kube-patrol-report report\.json: expected a JSON object/,
    );
    expect(byName['noreport']!.problem).toContain('keeps no report.json (formats: report.html)');
    expect(byName['badreport']!.problem).toMatch(/report\.json: an entry of findings: .*severity/);
    expect(byName['broken']!.problem).toContain('context "broken" not found');
  });

  it('keeps a withheld (null) score out of the mean and the trend', async () => {
    const withheld = configMap('2026-12-01T11:00:00Z', report([]), {
      summary: {
        scanId: '20261201-110000-a1b2',
        generatedAt: '2026-12-01T11:00:00Z',
        score: null,
        scoreWithheld: 'partial',
        storage: 'data',
        workloads: 1,
        findings: 0,
        exempted: 0,
        bySeverity: counts(),
        errors: 1,
        files: ['report.json'],
      },
      history: [
        {
          scanId: '20261201-110000-a1b2',
          generatedAt: '2026-12-01T11:00:00Z',
          configMap: 'kube-patrol-report-20261201-110000-a1b2',
          score: null,
          findings: 0,
          bySeverity: counts(),
        },
      ],
    });
    const rows = await collect({
      withheld: { cm: withheld },
      scored: { cm: configMap('2026-12-01T11:00:00Z', report([])) },
    });
    expect(rows[0]!.row.scan!.score).toBeNull();
    const fleet = fleetOf(rows);
    expect(fleet.summary.score).toBe(80);
    expect(renderFleetHtml(fleet)).toContain('<span class="score grade-none">–</span>');
  });

  it('reads at most `concurrency` clusters at once', async () => {
    const track = { open: 0, max: 0 };
    const behaviours = Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [
        `c${i}`,
        { cm: configMap('2026-12-01T11:00:00Z', report([])), delayMs: 20 },
      ]),
    );
    const rows = await collect(behaviours, { concurrency: 3, track });
    expect(rows.map((r) => r.row.status)).toEqual(Array(9).fill('ok'));
    expect(track.max).toBe(3);
  });
});

describe('renderFleetHtml', () => {
  const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

  it('escapes every stored string and carries a CSP without script', async () => {
    const rows = await collect({
      [hostile]: {
        cm: configMap('2026-12-01T11:00:00Z', {
          ...report([finding(hostile, hostile, 'critical')], [{ ...RULES[0]!, id: hostile, title: hostile }]),
        }),
      },
    });
    const fleet = fleetOf(rows);
    const html = renderFleetHtml(fleet);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;sha256-/,
    );
    expect(html).not.toContain('script-src');
  });

  it('speaks 简体中文 with lang zh-CN', async () => {
    const rows = await collect({
      down: { error: new KubeConnectionError('GET', '/x', new Error('refused')) },
    });
    const html = renderFleetHtml(fleetOf(rows, 'zh-CN', 7200));
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('无法连接');
    expect(html).toContain('2 小时');
  });

  it('draws the trend oldest left, a higher score higher up', () => {
    expect(trendPoints([0, 100])).toBe('2.0,26.0 118.0,2.0');
    expect(formatAge(90, 'en')).toBe('90 s');
    expect(formatAge(3 * 86400, 'zh-CN')).toBe('3 天');
  });
});

describe('targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-fleet-targets-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const defaults = { namespace: 'kube-patrol', configMap: 'kube-patrol-report' };

  it('reads a fleet file with names and namespaces, and names the file and field of a mistake', () => {
    const good = file(
      'fleet.yaml',
      'clusters:\n  - context: a\n    name: Prod\n  - context: b\n    namespace: ops\n',
    );
    expect(targetsFromFleetFile(good, defaults)).toEqual([
      { context: 'a', name: 'Prod', namespace: 'kube-patrol', configMap: 'kube-patrol-report' },
      { context: 'b', name: 'b', namespace: 'ops', configMap: 'kube-patrol-report' },
    ]);
    const typo = file('typo.yaml', 'clusters:\n  - context: a\n    namespce: ops\n');
    expect(() => targetsFromFleetFile(typo, defaults)).toThrow(
      new RegExp(`${typo}: clusters\\.0: .*namespce`),
    );
    const twice = file('twice.yaml', 'clusters:\n  - context: a\n  - context: a\n');
    expect(() => targetsFromFleetFile(twice, defaults)).toThrow(FleetTargetError);
  });

  it('lists every context of the kubeconfig files, the first of a name winning', () => {
    const one = file('one.yaml', 'contexts:\n  - name: a\n  - name: b\n');
    const two = file('two.yaml', 'contexts:\n  - name: b\n  - name: c\n');
    expect(kubeconfigContexts([one, join(dir, 'absent.yaml'), two])).toEqual(['a', 'b', 'c']);
    expect(() => kubeconfigContexts([join(dir, 'absent.yaml')])).toThrow(/absent\.yaml/);
  });
});
