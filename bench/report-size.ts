/**
 * Size of the rendered reports for generated clusters of 100 and 10,000 workloads (every registered
 * rule, the generator of bench/generate.ts). Run: node bench/report-size.ts [count...]
 */
import { gzipSync } from 'node:zlib';
import { createInspector, type WorkloadResult } from '../src/engine/run.ts';
import { buildReport } from '../src/report/build.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { renderReport } from '../src/report/render/index.ts';
import { extractWorkloads } from '../src/workloads/extract.ts';
import { generateWorkloads } from './generate.ts';

const counts = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`.padStart(10);
const mib = (n: number) => (n >= 1024 * 1024 ? `${(n / 2 ** 20).toFixed(1)} MiB`.padStart(10) : kib(n));

console.log('workloads  findings  format   size      gzip      render');
for (const count of counts.length > 0 ? counts : [100, 10_000]) {
  const settings = resolveSettings({}, {}, new Date('2026-01-01T00:00:00Z'));
  const inspector = createInspector(settings.engine);
  const results: WorkloadResult[] = [];
  for (const [i, object] of generateWorkloads(count).entries()) {
    for (const workload of extractWorkloads(object, {
      file: `cluster-${Math.floor(i / 100)}.yaml`,
      documentPath: [],
    }).workloads)
      results.push(inspector(workload));
  }
  const report = buildReport({
    results,
    errors: [],
    rules: settings.activeRules,
    lang: 'en',
    source: 'manifests',
    pssVersion: settings.engine.version,
    generatedAt: new Date('2026-01-01T00:00:00Z'),
    toolVersion: 'bench',
  });
  for (const format of ['html', 'json', 'sarif'] as const) {
    const started = performance.now();
    const text = renderReport(report, format);
    const ms = performance.now() - started;
    const bytes = Buffer.byteLength(text);
    console.log(
      `${String(count).padStart(9)} ${String(report.findings.length).padStart(9)}  ${format.padEnd(6)} ${mib(bytes)} ${mib(gzipSync(text).length)} ${ms.toFixed(0).padStart(6)} ms`,
    );
  }
}
