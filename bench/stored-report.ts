/**
 * `node bench/stored-report.ts [findings]`: reads a stored report of that many findings (brotli, the
 * operator's large JSON layout) back through src/report/stored.ts, as the operator does for its diff
 * (diffBase) and `kube-patrol report get` does (report), each in a fresh process; prints time and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InspectionReport } from '../src/report/model.ts';
import { renderJsonChunks } from '../src/report/render/json.ts';
import { openStoredReport, type StoredConfigMap } from '../src/report/stored.ts';

const SCAN = '20261201-101500-a1b2';

function syntheticReport(count: number): InspectionReport {
  const workloads = Array.from({ length: Math.ceil(count / 15) }, (_, i) => ({
    kind: 'Deployment',
    namespace: `team-${i % 50}`,
    name: `app-${i}`,
  }));
  const findings = Array.from({ length: count }, (_, i) => ({
    id: '',
    ruleId: `rule-${i % 30}`,
    severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5]!,
    category: 'pod-security' as const,
    pss: null,
    workload: workloads[Math.floor(i / 15)]!,
    container: 'app',
    path: `spec.template.spec.containers[0].securityContext.field${i % 15}`,
    messageId: 'm',
    data: { container: 'app' },
    message: `Container "app" of app-${Math.floor(i / 15)} breaks rule ${i % 30}.`,
    remediation: 'Set the field as the rule documentation says.',
  }));
  return {
    apiVersion: 'kube-patrol.io/v1alpha1',
    kind: 'InspectionReport',
    metadata: {
      generatedAt: '2026-12-01T10:15:00.000Z',
      source: 'cluster',
      pssVersion: 'v1.37',
      lang: 'en',
      tool: { name: 'kube-patrol', version: '0.1.0' },
    },
    summary: {
      score: 50,
      workloads: workloads.length,
      findings: count,
      exempted: 0,
      bySeverity: {
        critical: count / 5,
        high: count / 5,
        medium: count / 5,
        low: count / 5,
        info: count / 5,
      },
      skipped: {},
    },
    rules: [],
    workloads: workloads.map((w) => ({ ...w, score: 50, findings: 15 })),
    findings,
    errors: [],
  };
}

const [mode, file] = process.argv.slice(2);
if (mode === 'diffBase' || mode === 'report') {
  const cm = JSON.parse(readFileSync(file!, 'utf8')) as StoredConfigMap;
  const started = performance.now();
  const stored = await openStoredReport(async () => cm, 'kube-patrol-report');
  const result =
    mode === 'diffBase' ? (await stored.diffBase()).findings.length : (await stored.report()).findings.length;
  console.log(
    JSON.stringify({
      ms: performance.now() - started,
      findings: result,
      peakRssKiB: process.resourceUsage().maxRSS,
    }),
  );
} else {
  const count = Number(mode ?? 88_000);
  const report = syntheticReport(count);
  const text = Array.from(renderJsonChunks(report)).join('');
  const br = brotliCompressSync(text, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_LGWIN]: 22 },
  });
  const summary = {
    scanId: SCAN,
    generatedAt: report.metadata.generatedAt,
    score: 50,
    workloads: report.summary.workloads,
    findings: count,
    exempted: 0,
    bySeverity: report.summary.bySeverity,
    errors: 0,
    storage: 'brotli',
    files: ['report.json'],
  };
  const path = join(tmpdir(), `kp-stored-bench-${count}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      metadata: { name: 'kube-patrol-report' },
      data: { 'summary.json': JSON.stringify(summary) },
      binaryData: { 'report.json.br': br.toString('base64') },
    }),
  );
  console.log(
    `stored report: ${count.toLocaleString('en-US')} findings, report.json ${(text.length / 2 ** 20).toFixed(1)} MiB, brotli ${(br.length / 1024).toFixed(0)} KiB`,
  );
  for (const read of ['diffBase', 'report'] as const) {
    const child = spawnSync(
      process.execPath,
      ['--max-old-space-size=512', '--max-semi-space-size=4', fileURLToPath(import.meta.url), read, path],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout) as { ms: number; findings: number; peakRssKiB: number };
    console.log(
      `  ${read.padEnd(9)} ${Math.round(r.ms).toLocaleString('en-US').padStart(7)} ms   peak RSS ${Math.round(r.peakRssKiB / 1024)} MiB   (${r.findings.toLocaleString('en-US')} findings)`,
    );
  }
}
