/**
 * Files benchmark: 10,000 generated workloads in multi-document YAML. Measures the CLI's wall time and
 * peak RSS for `scan -o json` beside the time to only parse the same files (js-yaml, and `yaml` for
 * reference), the engine's workloads per second, and where an in-process scan spends its time.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
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
import { benchStages, type StageTimes } from './stages.ts';

export interface CliRun {
  wallMs: number;
  peakRssMiB: number;
  /** User + system CPU time of the process, all threads (median). */
  cpuMs: number;
}

export interface FilesBenchResult {
  workloads: number;
  files: number;
  bytes: number;
  /** How the CLI ran: compiled JavaScript (as installed) or TypeScript sources. */
  cliBuild: 'dist' | 'src';
  cli: CliRun;
  /** The same CLI over an empty directory: start-up and module loading. */
  cliStartup: CliRun;
  reportBytes: number;
  jsYamlParseMs: number;
  yamlParseMs: number;
  engineWorkloadsPerSecond: number;
  findings: number;
  stages: StageTimes;
}

export function median(values: number[]): number {
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

/**
 * Compiles the CLI like `npm run build`, into .cache/bench-dist (so the shared dist/ is left alone and
 * never stale), without type checking. Falls back to the TypeScript sources if that fails.
 */
export function compileCli(root: string): { cli: string; build: 'dist' | 'src' } {
  const outDir = join(root, '.cache', 'bench-dist');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(
    process.execPath,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--noCheck'],
    { encoding: 'utf8' },
  );
  if (run.status === 0) return { cli: join(outDir, 'src', 'cli', 'main.js'), build: 'dist' };
  process.stderr.write(
    `bench: compiling the CLI failed, timing the TypeScript sources instead\n${run.stdout}${run.stderr}`,
  );
  return { cli: join(root, 'src', 'cli', 'main.ts'), build: 'src' };
}

/**
 * The Node flags of the CLI's `#!/usr/bin/env -S node ...` line: what an installed `kube-patrol` runs with
 * (the benchmarks start Node themselves, to add the peak-RSS hook, so they pass them on).
 */
export function cliNodeFlags(cli: string): string[] {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node\s+(.*)$/.exec(first);
  return match ? (match[1] as string).split(/\s+/).filter(Boolean) : [];
}

/** One `scan <dir> -o json ARGS` run with stdout to a file, as `kube-patrol scan dir -o json > report.json`. */
export function runCliOnce(
  root: string,
  cli: string,
  dir: string,
  out: string,
  args: readonly string[] = [],
): { wallMs: number; peakRssKiB: number; cpuMs: number } {
  const fd = openSync(out, 'w');
  const start = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      ...cliNodeFlags(cli),
      '--import',
      join(root, 'bench', 'peak-rss.ts'),
      cli,
      'scan',
      dir,
      '-o',
      'json',
      ...args,
    ],
    { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' },
  );
  const wallMs = performance.now() - start;
  closeSync(fd);
  if (run.status !== 0) throw new Error(`scan failed (${run.status}): ${run.stderr.slice(0, 500)}`);
  const rss = /PEAK_RSS_KB (\d+)/.exec(run.stderr);
  const cpu = /CPU_US (\d+)/.exec(run.stderr);
  return { wallMs, peakRssKiB: rss ? Number(rss[1]) : 0, cpuMs: cpu ? Number(cpu[1]) / 1000 : 0 };
}

/** Runs `scan <dir> -o json` `runs` times: median wall and CPU time, largest peak RSS. */
function runCli(root: string, cli: string, dir: string, out: string, runs: number): CliRun {
  const walls: number[] = [];
  const cpus: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const one = runCliOnce(root, cli, dir, out, ['--workers', '0']);
    walls.push(one.wallMs);
    cpus.push(one.cpuMs);
    peak = Math.max(peak, one.peakRssKiB);
  }
  return { wallMs: median(walls), peakRssMiB: peak / 1024, cpuMs: median(cpus) };
}

export async function benchFiles(
  count = 10_000,
  perFile = 100,
  runs = 3,
  compiled?: { cli: string; build: 'dist' | 'src' },
): Promise<FilesBenchResult> {
  const base = join(tmpdir(), `kube-patrol-bench-${count}`);
  const dir = join(base, 'workloads');
  const empty = join(base, 'empty');
  const out = join(base, 'report.json');
  await rm(base, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await mkdir(empty, { recursive: true });
  const workloads = generateWorkloads(count);
  const texts = toYamlFiles(workloads, perFile);
  await Promise.all(
    texts.map((text, i) => writeFile(join(dir, `workloads-${String(i).padStart(4, '0')}.yaml`), text)),
  );
  const names = (await readdir(dir)).sort();
  const contents = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  const bytes = contents.reduce((sum, c) => sum + Buffer.byteLength(c), 0);

  const jsYamlParseMs = time(() => {
    for (const text of contents) jsYamlLoadAll(text);
  }, runs);
  const yamlParseMs = time(() => {
    for (const text of contents) for (const doc of parseAllDocuments(text)) doc.toJS();
  }, runs);

  const inspector = createInspector({
    rules: ALL_RULES,
    version: parsePssVersion('latest'),
    now: new Date(),
  });
  let findings = 0;
  const engineMs = time(() => {
    findings = 0;
    for (const object of workloads) {
      const extraction = extractWorkloads(object, { file: 'bench', documentPath: [] });
      for (const workload of extraction.workloads) findings += inspector(workload).findings.length;
    }
  }, runs);

  const stages = await benchStages(dir, runs);

  const root = projectRoot();
  const { cli, build } = compiled ?? compileCli(root);
  const cliStartup = runCli(root, cli, empty, out, runs);
  const cliRun = runCli(root, cli, dir, out, runs);
  const reportBytes = statSync(out).size;
  await rm(base, { recursive: true, force: true });
  return {
    workloads: count,
    files: names.length,
    bytes,
    cliBuild: build,
    cli: cliRun,
    cliStartup,
    reportBytes,
    jsYamlParseMs,
    yamlParseMs,
    engineWorkloadsPerSecond: Math.round(count / (engineMs / 1000)),
    findings,
    stages,
  };
}
