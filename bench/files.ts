/**
 * Files benchmark: 10,000 generated workloads in multi-document YAML. Prints the CLI's wall time and
 * peak RSS for `scan -o json`, the time to only parse the same files (js-yaml and yaml), and the
 * engine's workloads per second.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll as jsYamlLoadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { parsePssVersion } from '../src/engine/pss-version.ts';
import { createInspector } from '../src/engine/run.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { projectRoot } from '../src/version.ts';
import { extractWorkloads } from '../src/workloads/extract.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

export interface FilesBenchResult {
  workloads: number;
  files: number;
  bytes: number;
  cliWallMs: number;
  cliPeakRssMiB: number;
  jsYamlParseMs: number;
  yamlParseMs: number;
  engineWorkloadsPerSecond: number;
  findings: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export async function benchFiles(count = 10_000, perFile = 100, runs = 3): Promise<FilesBenchResult> {
  const dir = join(tmpdir(), `kube-patrol-bench-${count}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const workloads = generateWorkloads(count);
  const texts = toYamlFiles(workloads, perFile);
  await Promise.all(texts.map((text, i) => writeFile(join(dir, `workloads-${String(i).padStart(4, '0')}.yaml`), text)));
  const names = (await readdir(dir)).sort();
  const contents = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  const bytes = contents.reduce((sum, c) => sum + Buffer.byteLength(c), 0);

  const jsYamlParseMs = time(() => {
    for (const text of contents) jsYamlLoadAll(text);
  }, runs);
  const yamlParseMs = time(() => {
    for (const text of contents) for (const doc of parseAllDocuments(text)) doc.toJS();
  }, runs);

  const inspector = createInspector({ rules: ALL_RULES, version: parsePssVersion('latest'), now: new Date() });
  let findings = 0;
  const engineMs = time(() => {
    findings = 0;
    for (const object of workloads) {
      const extraction = extractWorkloads(object, { file: 'bench', documentPath: [] });
      for (const workload of extraction.workloads) findings += inspector(workload).findings.length;
    }
  }, runs);

  const root = projectRoot();
  const built = join(root, 'dist', 'src', 'cli', 'main.js');
  const cli = existsSync(built) ? built : join(root, 'src', 'cli', 'main.ts');
  const walls: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, ['--import', join(root, 'bench', 'peak-rss.ts'), cli, 'scan', dir, '-o', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    walls.push(performance.now() - start);
    if (run.status !== 0) throw new Error(`scan failed (${run.status}): ${run.stderr.slice(0, 500)}`);
    const match = /PEAK_RSS_KB (\d+)/.exec(run.stderr);
    peak = Math.max(peak, match ? Number(match[1]) : 0);
  }
  await rm(dir, { recursive: true, force: true });
  return {
    workloads: count,
    files: names.length,
    bytes,
    cliWallMs: median(walls),
    cliPeakRssMiB: peak / 1024,
    jsYamlParseMs,
    yamlParseMs,
    engineWorkloadsPerSecond: Math.round(count / (engineMs / 1000)),
    findings,
  };
}
