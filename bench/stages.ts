/**
 * Where a manifest scan spends its time: the stages of `scan -o json` run in-process on the same files
 * (read, decode, engine, report build, JSON render), each timed on its own.
 */
import { readFile } from 'node:fs/promises';
import { resolveSettings } from '../src/pipeline/settings.ts';
import type { WorkloadResult } from '../src/engine/run.ts';
import { createInspector } from '../src/engine/run.ts';
import { buildReport } from '../src/report/build.ts';
import type { ReportError } from '../src/report/model.ts';
import { renderJson } from '../src/report/render/json.ts';
import { decodeManifests, expandPaths } from '../src/sources/manifests.ts';
import type { Workload } from '../src/workloads/model.ts';

export interface StageTimes {
  readMs: number;
  decodeMs: number;
  engineMs: number;
  buildMs: number;
  renderMs: number;
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
  return { readMs, decodeMs, engineMs, buildMs, renderMs, findings: report.findings.length, jsonBytes: Buffer.byteLength(json) };
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
    findings: pick('findings'),
    jsonBytes: pick('jsonBytes'),
  };
}
