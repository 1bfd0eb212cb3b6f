/**
 * The fleet page at scale: `clusters` generated clusters of `workloads` workloads each (default 12 ×
 * 3,000), their reports as the operator would store them, the fleet page with each full report written
 * beside it (what `kube-patrol fleet --out-dir` does) and, for comparison, one page with every report
 * embedded (iframe srcdoc). Prints sizes, render times and load times in headless Chromium.
 * Run: node bench/fleet.ts [clusters] [workloads]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { createRegistry } from '../src/engine/registry.ts';
import { digestReport, buildFleetReport, type ClusterDigest } from '../src/fleet/digest.ts';
import { writeClusterReport } from '../src/fleet/files.ts';
import type { FleetCluster } from '../src/fleet/model.ts';
import { renderFleetHtml } from '../src/fleet/render.ts';
import { scanManifests } from '../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { renderReport } from '../src/report/render/index.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { encodeReport } from '../src/sinks/configmap-encoding.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

const REGISTRY = createRegistry(ALL_RULES);
const [clusterCount = 12, workloadCount = 3000] = process.argv.slice(2).map(Number);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
const now = new Date('2026-12-01T12:00:00Z');

const out = await mkdtemp(join(tmpdir(), 'kube-patrol-fleet-bench-'));
const rows: { row: FleetCluster; digest: ClusterDigest }[] = [];
let writeMs = 0;
let scanMs = 0;
const storages: string[] = [];
const htmlSizes: number[] = [];
const jsonSizes: number[] = [];
for (let i = 0; i < clusterCount; i++) {
  const dir = await mkdtemp(join(tmpdir(), 'kube-patrol-fleet-bench-src-'));
  const texts = toYamlFiles(generateWorkloads(workloadCount, 1000 + i), 100);
  await Promise.all(texts.map((text, n) => writeFile(join(dir, `w-${n}.yaml`), text)));
  const settings = resolveSettings(REGISTRY, {}, {}, now);
  let started = performance.now();
  const { report } = await scanManifests([dir], settings, { toolVersion: 'bench' }, () => now);
  scanMs += performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  // As the operator stores it: does it fit the main ConfigMap (which the fleet-reader Role can read)?
  const json = renderReport(report, 'json', { rules: REGISTRY.meta });
  const html = renderReport(report, 'html', { rules: REGISTRY.meta });
  const encoded = await encodeReport(
    '{}',
    { 'report.json': json, 'report.html': html },
    900 * 1024,
    (n) => `p-${n}`,
    2512,
  );
  storages.push(encoded.storage);
  const jsonOnly = await encodeReport('{}', { 'report.json': json }, 900 * 1024, (n) => `p-${n}`, 2512);
  storages.push(`json-only:${jsonOnly.storage}`);
  const name = `cluster-${String(i + 1).padStart(2, '0')}`;
  const target = { context: name, name, namespace: 'kube-patrol', configMap: 'kube-patrol-report' };
  started = performance.now();
  const files = await writeClusterReport(out, target, i, report, REGISTRY.meta);
  writeMs += performance.now() - started;
  htmlSizes.push((await stat(join(out, files.html))).size);
  jsonSizes.push((await stat(join(out, files.json))).size);
  const digest = digestReport(report);
  rows.push({
    digest,
    row: {
      ...target,
      status: 'ok',
      problem: null,
      partial: false,
      scan: {
        scanId: `s-${i}`,
        generatedAt: now.toISOString(),
        ageSeconds: 3600,
        score: report.summary.score,
        workloads: report.summary.workloads,
        findings: report.summary.findings,
        exempted: report.summary.exempted,
        bySeverity: report.summary.bySeverity,
        errors: 0,
      },
      trend: [70, 72, 75, report.summary.score].map((score) => ({
        generatedAt: now.toISOString(),
        score,
        findings: 0,
      })),
      worstRules: digest.rules.slice(0, 5),
      report: files,
    },
  });
}
let started = performance.now();
const fleet = buildFleetReport({
  now,
  lang: 'en',
  toolVersion: 'bench',
  staleAfterSeconds: 86400,
  clusters: rows,
});
const page = renderFleetHtml(fleet);
const pageMs = performance.now() - started;
await writeFile(join(out, 'index.html'), page);

// The alternative: every full report inside the page (srcdoc keeps each report's own CSP and script).
started = performance.now();
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const frames: string[] = [];
for (const { row } of rows) {
  const html = await readFile(join(out, row.report!.html), 'utf8');
  frames.push(
    `<details><summary>${row.name}</summary><iframe sandbox="allow-scripts" srcdoc="${escapeAttr(html)}"></iframe></details>`,
  );
}
const embedded = page.replace('</main>', `${frames.join('\n')}</main>`);
const embeddedMs = performance.now() - started + pageMs;
await writeFile(join(out, 'embedded.html'), embedded);

console.log(
  `${clusterCount} clusters × ${workloadCount} workloads (findings per cluster ≈ ${Math.round(rows.reduce((s, r) => s + r.row.scan!.findings, 0) / rows.length)})`,
);
console.log(`scans (generating the input reports): ${(scanMs / 1000).toFixed(1)} s`);
console.log(`stored as (json+html, json only): ${[...new Set(storages)].join(', ')}`);
console.log(
  `per cluster report.html ${mib(Math.max(...htmlSizes))} max, report.json ${mib(Math.max(...jsonSizes))} max`,
);
console.log(
  `writing the ${clusterCount} cluster reports (html+json, re-rendered): ${(writeMs / 1000).toFixed(1)} s`,
);
console.log(
  `fleet page (reports beside it): ${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB, built+rendered in ${pageMs.toFixed(0)} ms`,
);
console.log(
  `fleet page (reports embedded):  ${mib(Buffer.byteLength(embedded))}, built in ${embeddedMs.toFixed(0)} ms`,
);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const load = async (file: string) => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const t0 = performance.now();
    await tab.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 300_000 });
    const ms = performance.now() - t0;
    const heap = await tab.evaluate(
      () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    );
    await context.close();
    return { ms, heap };
  };
  for (const [label, file] of [
    ['fleet page, reports beside', join(out, 'index.html')],
    ['one cluster report.html (the click)', join(out, rows[0]!.row.report!.html)],
    ['fleet page, reports embedded', join(out, 'embedded.html')],
  ] as const) {
    const runs = [await load(file), await load(file)];
    const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
    console.log(`Chromium load: ${label}: ${best.ms.toFixed(0)} ms (best of 2), JS heap ${mib(best.heap)}`);
  }
  await browser.close();
}
await rm(out, { recursive: true, force: true });
