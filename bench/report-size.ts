/**
 * Size of the rendered reports for generated clusters of 100 and 10,000 workloads (every registered
 * rule, the generator of bench/generate.ts). Run: node bench/report-size.ts [count...]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRegistry } from '../src/engine/registry.ts';
import { scanManifests } from '../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { renderReport } from '../src/report/render/index.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

const REGISTRY = createRegistry(ALL_RULES);

const counts = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`.padStart(10);
const mib = (n: number) => (n >= 1024 * 1024 ? `${(n / 2 ** 20).toFixed(1)} MiB`.padStart(10) : kib(n));

console.log('workloads  findings  format   size      gzip      render');
for (const count of counts.length > 0 ? counts : [100, 10_000]) {
  const settings = resolveSettings(REGISTRY, {}, {}, new Date('2026-01-01T00:00:00Z'));
  // Files of 100 workloads each, scanned by the pipeline the CLI runs.
  const dir = await mkdtemp(join(tmpdir(), 'kube-patrol-report-size-'));
  const texts = toYamlFiles(generateWorkloads(count), 100);
  await Promise.all(
    texts.map((text, i) => writeFile(join(dir, `cluster-${String(i).padStart(4, '0')}.yaml`), text)),
  );
  const { report } = await scanManifests(
    [dir],
    settings,
    { toolVersion: 'bench' },
    () => new Date('2026-01-01T00:00:00Z'),
  );
  await rm(dir, { recursive: true, force: true });
  for (const format of ['html', 'json', 'sarif'] as const) {
    const started = performance.now();
    const text = renderReport(report, format, { rules: REGISTRY.meta });
    const ms = performance.now() - started;
    const bytes = Buffer.byteLength(text);
    console.log(
      `${String(count).padStart(9)} ${String(report.findings.length).padStart(9)}  ${format.padEnd(6)} ${mib(bytes)} ${mib(gzipSync(text).length)} ${ms.toFixed(0).padStart(6)} ms`,
    );
  }
}
