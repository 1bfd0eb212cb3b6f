/**
 * Where a manifest scan spends its time: the stages of `scan -o json` run in-process on the same files
 * (read, decode, engine, report build as the pipeline times them; JSON render, write), each timed on its own; and, for comparison,
 * the JSON written in chunks as it is rendered.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '../src/engine/registry.ts';
import { scanManifests, type ManifestScanTimings } from '../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { renderJson, renderJsonChunks } from '../src/report/render/json.ts';
import { ALL_RULES } from '../src/rules/index.ts';

const REGISTRY = createRegistry(ALL_RULES);

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
  // The scan the CLI runs, timed by the pipeline itself stage by stage.
  const timings: ManifestScanTimings = { readMs: 0, decodeMs: 0, inspectMs: 0, buildMs: 0 };
  const settings = resolveSettings(REGISTRY, {}, {}, new Date());
  const { report } = await scanManifests([dir], settings, { timings, toolVersion: 'bench' });
  const { readMs, decodeMs, inspectMs: engineMs, buildMs } = timings;

  let started = performance.now();
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
