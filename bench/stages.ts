/**
 * Where a manifest scan spends its time: the stages of `scan -o json` run in-process on the same files
 * (read, decode, engine, report build, JSON render, write), each timed on its own; and, for comparison,
 * the JSON written in chunks as it is rendered.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSettings } from '../src/pipeline/settings.ts';
import type { WorkloadResult } from '../src/engine/run.ts';
import { createInspector } from '../src/engine/run.ts';
import { buildReport } from '../src/report/build.ts';
import type { ReportError } from '../src/report/model.ts';
import { renderJson, renderJsonChunks } from '../src/report/render/json.ts';
import { decodeManifests, expandPaths } from '../src/sources/manifests.ts';
import type { Workload } from '../src/workloads/model.ts';

export interface StageTimes {
  readMs: number;
  decodeMs: number;
  engineMs: number;
  buildMs: number;
  renderMs: number;
  /** Writing the rendered text to a file in one call (what the CLI does with stdout). */
  writeMs: number;
  /** Rendering and writing in chunks of 1,000 entries instead (renderJsonChunks). */
  streamedRenderWriteMs: number;
  findings: number;
  jsonBytes: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function runStages(dir: string): Promise<StageTimes> {
  const settings = resolveSettings({}, {}, new Date());
  const inspector = createInspector(settings.engine);
  const { files } = await expandPaths([dir]);
  let started = performance.now();
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  const readMs = performance.now() - started;

  let decodeMs = 0;
  let engineMs = 0;
  const results: WorkloadResult[] = [];
  const errors: ReportError[] = [];
  files.forEach((file, i) => {
    started = performance.now();
    const { extraction } = decodeManifests(file, texts[i] as string);
    decodeMs += performance.now() - started;
    errors.push(...extraction.errors);
    started = performance.now();
    for (const workload of extraction.workloads as Workload[]) results.push(inspector(workload, errors));
    engineMs += performance.now() - started;
  });

  started = performance.now();
  const report = buildReport({
    results,
    errors,
    rules: settings.activeRules,
    severityOverrides: settings.severityOverrides,
    lang: settings.lang,
    source: 'manifests',
    pssVersion: settings.engine.version,
    generatedAt: new Date(),
    toolVersion: 'bench',
  });
  const buildMs = performance.now() - started;

  started = performance.now();
  const json = renderJson(report);
  const renderMs = performance.now() - started;

  const out = join(tmpdir(), `kube-patrol-bench-report-${process.pid}.json`);
  let fd = openSync(out, 'w');
  started = performance.now();
  writeSync(fd, json);
  const writeMs = performance.now() - started;
  closeSync(fd);
  const jsonBytes = Buffer.byteLength(json);

  fd = openSync(out, 'w');
  started = performance.now();
  for (const chunk of renderJsonChunks(report)) writeSync(fd, chunk);
  const streamedRenderWriteMs = performance.now() - started;
  closeSync(fd);
  rmSync(out, { force: true });
  return {
    readMs,
    decodeMs,
    engineMs,
    buildMs,
    renderMs,
    writeMs,
    streamedRenderWriteMs,
    findings: report.findings.length,
    jsonBytes,
  };
}

/** Median of each stage over `runs` in-process runs (the first run also warms the JIT). */
export async function benchStages(dir: string, runs = 3): Promise<StageTimes> {
  const samples: StageTimes[] = [];
  for (let i = 0; i < runs; i++) samples.push(await runStages(dir));
  const pick = (key: keyof StageTimes) => median(samples.map((s) => s[key]));
  return {
    readMs: pick('readMs'),
    decodeMs: pick('decodeMs'),
    engineMs: pick('engineMs'),
    buildMs: pick('buildMs'),
    renderMs: pick('renderMs'),
    writeMs: pick('writeMs'),
    streamedRenderWriteMs: pick('streamedRenderWriteMs'),
    findings: pick('findings'),
    jsonBytes: pick('jsonBytes'),
  };
}
