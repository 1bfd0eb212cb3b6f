/**
 * Worker threads benchmark: the CLI's `scan DIR -o json > file` on one thread (`--workers 0`) and with one
 * worker per further core (`--workers N-1`: the main thread scans a share too), on generated inputs of growing size. Single and workers runs alternate,
 * so both meet the same load on a shared machine; medians of wall time and CPU time (all threads), and the
 * largest peak RSS. The smallest input at which the workers are faster, and stay faster, is the measured
 * threshold of `--workers auto` (AUTO_WORKERS_MIN_BYTES).
 *
 * Then, for the largest input, what remains of an in-process scan with workers: the scan itself (read,
 * decode, inspect in the workers, merge), report assembly, JSON render and write, and the report's size
 * against its input's (issue 17, deliverable 3).
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanWorkerEntry } from '../src/cli/workers.ts';
import { createRegistry } from '../src/engine/registry.ts';
import { scanManifests, type ManifestScanTimings } from '../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { renderJson } from '../src/report/render/json.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { median, runCliOnce } from './files.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

export interface WorkersRow {
  workloads: number;
  files: number;
  bytes: number;
  single: { wallMs: number; cpuMs: number; peakRssMiB: number };
  workers: { wallMs: number; cpuMs: number; peakRssMiB: number };
}

export interface RemainingCost {
  workers: number;
  /** Wall time of the scan up to the last result merged (workers: read, decode, inspect; main: merge). */
  scanMs: number;
  /** The same scan on one thread, in the same process. */
  singleScanMs: number;
  assembleMs: number;
  renderMs: number;
  writeMs: number;
  inputBytes: number;
  reportBytes: number;
  /** Of the report's bytes: the findings' remediation texts, their messages. */
  remediationBytes: number;
  messageBytes: number;
}

export interface WorkersBench {
  threads: number;
  rows: WorkersRow[];
  /** The smallest input (bytes) from which on the workers were faster in every row; undefined if never. */
  thresholdBytes: number | undefined;
  remaining: RemainingCost;
}

async function writeInput(dir: string, count: number, perFile: number): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const texts = toYamlFiles(generateWorkloads(count), perFile);
  await Promise.all(
    texts.map((text, i) => writeFile(join(dir, `workloads-${String(i).padStart(4, '0')}.yaml`), text)),
  );
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return bytes;
}

export async function benchWorkers(
  cli: string,
  root: string,
  largest: number,
  runs: number,
  sizes: readonly number[] = [200, 500, 1_000, 2_000, 5_000, 10_000],
): Promise<WorkersBench> {
  const threads = availableParallelism();
  const base = join(tmpdir(), `kube-patrol-bench-workers-${process.pid}`);
  const out = join(base, 'report.json');
  const rows: WorkersRow[] = [];
  const counts = [...new Set([...sizes.filter((n) => n < largest), largest])];
  for (const count of counts) {
    const dir = join(base, `w${count}`);
    const bytes = await writeInput(dir, count, 100);
    const sample = {
      single: [] as ReturnType<typeof runCliOnce>[],
      workers: [] as ReturnType<typeof runCliOnce>[],
    };
    for (let i = 0; i < runs; i++) {
      // Alternating, each mode first in turn: neither meets a quieter machine by its place.
      const order = i % 2 === 0 ? (['single', 'workers'] as const) : (['workers', 'single'] as const);
      for (const mode of order)
        sample[mode].push(
          runCliOnce(root, cli, dir, out, ['--workers', mode === 'single' ? '0' : String(threads - 1)]),
        );
    }
    const summary = (list: ReturnType<typeof runCliOnce>[]) => ({
      wallMs: median(list.map((r) => r.wallMs)),
      cpuMs: median(list.map((r) => r.cpuMs)),
      peakRssMiB: Math.max(...list.map((r) => r.peakRssKiB)) / 1024,
    });
    rows.push({
      workloads: count,
      files: Math.ceil(count / 100),
      bytes,
      single: summary(sample.single),
      workers: summary(sample.workers),
    });
  }
  let thresholdBytes: number | undefined;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as WorkersRow;
    if (row.workers.wallMs >= row.single.wallMs) break;
    thresholdBytes = row.bytes;
  }
  const remaining = await remainingCost(join(base, `w${largest}`), threads, runs);
  await rm(base, { recursive: true, force: true });
  return { threads, rows, thresholdBytes, remaining };
}

/** In-process: the stages of a scan with workers, medians of `runs` (after one warm-up run). */
async function remainingCost(dir: string, threads: number, runs: number): Promise<RemainingCost> {
  const registry = createRegistry(ALL_RULES);
  const now = new Date();
  const settings = resolveSettings(registry, {}, {}, now);
  const workers = { count: threads - 1, entry: scanWorkerEntry(), recipe: { config: {}, flags: {}, now } };
  const samples: Omit<RemainingCost, 'inputBytes' | 'reportBytes' | 'remediationBytes' | 'messageBytes'>[] =
    [];
  let inputBytes = 0;
  for (const name of await readdir(dir)) inputBytes += statSync(join(dir, name)).size;
  let reportBytes = 0;
  let remediationBytes = 0;
  let messageBytes = 0;
  for (let i = 0; i <= runs; i++) {
    const single: ManifestScanTimings = { readMs: 0, decodeMs: 0, inspectMs: 0, buildMs: 0 };
    let start = performance.now();
    await scanManifests([dir], settings, {
      timings: single,
      toolVersion: 'bench',
      workers: { ...workers, count: 0 },
    });
    const singleScanMs = performance.now() - start - single.buildMs;
    const timings: ManifestScanTimings = { readMs: 0, decodeMs: 0, inspectMs: 0, buildMs: 0 };
    start = performance.now();
    const { report } = await scanManifests([dir], settings, { timings, toolVersion: 'bench', workers });
    const scanMs = performance.now() - start - timings.buildMs;
    start = performance.now();
    const json = renderJson(report);
    const renderMs = performance.now() - start;
    const file = join(tmpdir(), `kube-patrol-bench-workers-report-${process.pid}.json`);
    const fd = openSync(file, 'w');
    start = performance.now();
    writeSync(fd, json);
    const writeMs = performance.now() - start;
    closeSync(fd);
    await rm(file, { force: true });
    reportBytes = Buffer.byteLength(json);
    remediationBytes = 0;
    messageBytes = 0;
    // As serialised: `"remediation": "…",` once per finding (the key and quotes are the least of it).
    for (const f of report.findings) {
      remediationBytes += Buffer.byteLength(JSON.stringify(f.remediation)) + 16;
      messageBytes += Buffer.byteLength(JSON.stringify(f.message)) + 12;
    }
    if (i > 0)
      samples.push({
        workers: threads - 1,
        scanMs,
        singleScanMs,
        assembleMs: timings.buildMs,
        renderMs,
        writeMs,
      });
  }
  const pick = (key: 'scanMs' | 'singleScanMs' | 'assembleMs' | 'renderMs' | 'writeMs') =>
    median(samples.map((s) => s[key]));
  return {
    workers: threads - 1,
    scanMs: pick('scanMs'),
    singleScanMs: pick('singleScanMs'),
    assembleMs: pick('assembleMs'),
    renderMs: pick('renderMs'),
    writeMs: pick('writeMs'),
    inputBytes,
    reportBytes,
    remediationBytes,
    messageBytes,
  };
}

export function printWorkersBench(
  r: WorkersBench,
  row: (label: string, value: string, extra?: string) => void,
  build: string,
): void {
  const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `\nworkers: CLI scan -o json > file (${build}), --workers 0 against --workers ${r.threads - 1} (the main thread scans a share too), alternating; medians (wall, CPU of all threads), largest peak RSS`,
  );
  console.log(
    `  ${'workloads'.padStart(9)} ${'files'.padStart(5)} ${'input'.padStart(9)}  ${'single'.padStart(9)} ${'workers'.padStart(9)} ${'ratio'.padStart(6)}  ${'CPU 1'.padStart(9)} ${'CPU N'.padStart(9)}  ${'RSS 1'.padStart(8)} ${'RSS N'.padStart(8)} ${'ratio'.padStart(6)}`,
  );
  for (const x of r.rows)
    console.log(
      `  ${x.workloads.toLocaleString('en-US').padStart(9)} ${String(x.files).padStart(5)} ${mib(x.bytes).padStart(9)}  ${ms(x.single.wallMs).padStart(9)} ${ms(x.workers.wallMs).padStart(9)} ${`${(x.workers.wallMs / x.single.wallMs).toFixed(2)}x`.padStart(6)}  ${ms(x.single.cpuMs).padStart(9)} ${ms(x.workers.cpuMs).padStart(9)}  ${`${x.single.peakRssMiB.toFixed(0)} MiB`.padStart(8)} ${`${x.workers.peakRssMiB.toFixed(0)} MiB`.padStart(8)} ${`${(x.workers.peakRssMiB / x.single.peakRssMiB).toFixed(2)}x`.padStart(6)}`,
    );
  row(
    'workers faster from (every larger row too)',
    r.thresholdBytes === undefined ? 'never' : mib(r.thresholdBytes),
  );
  const m = r.remaining;
  const total = m.scanMs + m.assembleMs + m.renderMs + m.writeMs;
  const share = (n: number) => `${((100 * n) / total).toFixed(0)}%`;
  console.log(
    `\nwhat remains with ${m.workers} worker(s) beside the main thread (in-process, warm, largest input):`,
  );
  row(
    'scan: read, decode, inspect (workers), merge',
    ms(m.scanMs).padStart(10),
    `${share(m.scanMs)}   one thread: ${ms(m.singleScanMs)}`,
  );
  row('report assembly (sort, summary)', ms(m.assembleMs).padStart(10), share(m.assembleMs));
  row(`JSON render (${mib(m.reportBytes)})`, ms(m.renderMs).padStart(10), share(m.renderMs));
  row('write the JSON to a file', ms(m.writeMs).padStart(10), share(m.writeMs));
  row(
    'report.json / input',
    `${(m.reportBytes / m.inputBytes).toFixed(1)}x`.padStart(10),
    `remediation texts ${((100 * m.remediationBytes) / m.reportBytes).toFixed(0)}% of it, messages ${((100 * m.messageBytes) / m.reportBytes).toFixed(0)}%`,
  );
}
