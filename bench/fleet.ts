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
import { collectFleet } from '../src/fleet/collect.ts';
import { buildFleetReport } from '../src/fleet/digest.ts';
import { writeClusterReport } from '../src/fleet/files.ts';
import type { FleetTarget } from '../src/fleet/model.ts';
import { renderFleetHtml } from '../src/fleet/render.ts';
import { scanManifests } from '../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { KubeApiError, type KubeApi, type RequestOptions } from '../src/kube/client.ts';
import { renderReportChunks } from '../src/report/render/index.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { ConfigMapReportSink } from '../src/sinks/configmap.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

const REGISTRY = createRegistry(ALL_RULES);
const [clusterCount = 12, workloadCount = 3000] = process.argv.slice(2).map(Number);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
const now = new Date('2026-12-01T12:00:00Z');

const out = await mkdtemp(join(tmpdir(), 'kube-patrol-fleet-bench-'));

/** ConfigMaps of one cluster in memory: what the sink writes and readStoredReport reads, without HTTP. */
function memoryCluster(): KubeApi & { close(): void } {
  const store = new Map<string, { metadata: { name: string } }>();
  return {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      const name = /\/configmaps\/([^/?]+)$/.exec(path)?.[1];
      const body = options.body as { metadata: { name: string } } | undefined;
      if (method === 'GET' && !name) return { items: [] } as T;
      if (method === 'GET') {
        const cm = store.get(name!);
        if (!cm) throw new KubeApiError(method, path, 404, 'NotFound', name!);
        return structuredClone(cm) as T;
      }
      if (method === 'DELETE') store.delete(name!);
      else store.set(body!.metadata.name, structuredClone(body!));
      return undefined as T;
    },
    watch: () => Promise.resolve(),
    close: () => undefined,
  };
}

const apis = new Map<string, KubeApi & { close(): void }>();
const targets: FleetTarget[] = [];
let scanMs = 0;
const storages: string[] = [];
for (let i = 0; i < clusterCount; i++) {
  const dir = await mkdtemp(join(tmpdir(), 'kube-patrol-fleet-bench-src-'));
  const texts = toYamlFiles(generateWorkloads(workloadCount, 1000 + i), 100);
  await Promise.all(texts.map((text, n) => writeFile(join(dir, `w-${n}.yaml`), text)));
  const settings = resolveSettings(REGISTRY, {}, {}, now);
  const started = performance.now();
  const { report } = await scanManifests([dir], settings, { toolVersion: 'bench' }, () => now);
  scanMs += performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  // Stored as the operator stores it (both formats, the default limits).
  const name = `cluster-${String(i + 1).padStart(2, '0')}`;
  const api = memoryCluster();
  const sink = new ConfigMapReportSink(api, {
    namespace: 'kube-patrol',
    name: 'kube-patrol-report',
    history: 5,
    maxConfigMapBytes: 900 * 1024,
  });
  const written = await sink.write(report, {
    'report.json': () => renderReportChunks(report, 'json', { rules: REGISTRY.meta }),
    'report.html': () => renderReportChunks(report, 'html', { rules: REGISTRY.meta }),
  });
  storages.push(`${written.storage} (${written.configMaps.length} ConfigMaps)`);
  apis.set(name, api);
  targets.push({ context: name, name, namespace: 'kube-patrol', configMap: 'kube-patrol-report' });
}
const rssBefore = process.memoryUsage().rss;
// maxRSS would include the scans above: sample the resident size while the fleet reads instead.
let rssPeak = rssBefore;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
const concurrency = 4;
let started = performance.now();
// What `kube-patrol fleet --out-dir` does after connecting: read, check, digest, re-render beside the page.
const rows = await collectFleet(targets, {
  now,
  staleAfterSeconds: 86400,
  concurrency,
  connect: (t) => apis.get(t.context)!,
  writeReport: (t, index, report) => writeClusterReport(out, t, index, report, REGISTRY.meta),
});
const collectMs = performance.now() - started;
clearInterval(sampler);
const htmlSizes: number[] = [];
const jsonSizes: number[] = [];
for (const { row } of rows) {
  if (!row.report) throw new Error(`${row.name}: ${row.status} ${row.problem}`);
  htmlSizes.push((await stat(join(out, row.report.html))).size);
  jsonSizes.push((await stat(join(out, row.report.json))).size);
}
started = performance.now();
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
console.log(`stored as (report.json + report.html): ${[...new Set(storages)].join(', ')}`);
console.log(
  `per cluster report.html ${mib(Math.max(...htmlSizes))} max, report.json ${mib(Math.max(...jsonSizes))} max`,
);
console.log(
  `reading, checking and re-rendering the ${clusterCount} stored reports, ${concurrency} at a time: ${(collectMs / 1000).toFixed(1)} s; RSS peak while reading ${mib(rssPeak)} (${mib(rssBefore)} before)`,
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
    await context.close();
    return { ms };
  };
  for (const [label, file] of [
    ['fleet page, reports beside', join(out, 'index.html')],
    ['one cluster report.html (the click)', join(out, rows[0]!.row.report!.html)],
    ['fleet page, reports embedded', join(out, 'embedded.html')],
  ] as const) {
    // The embedded page takes a minute a load: once is enough to see it.
    const runs = label.includes('embedded') ? [await load(file)] : [await load(file), await load(file)];
    const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
    console.log(`Chromium load: ${label}: ${best.ms.toFixed(0)} ms (best of ${runs.length})`);
  }
  await browser.close();
}
await rm(out, { recursive: true, force: true });
