import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EngineError } from '../engine/run.ts';
import type { PreparedResult, ReportAssembler } from '../report/build.ts';
import type { ManifestOptions } from '../sources/manifests.ts';
import {
  addFileResult,
  type FileResult,
  type ManifestScanTimings,
  type ScanTally,
} from './manifest-files.ts';
import { remediationTexts } from '../report/messages.ts';
import {
  withRemediation,
  type FactsMessage,
  type SettingsRecipe,
  type WireObject,
  type WorkerMessage,
  type WorkerTask,
} from './parallel-worker.ts';
import type { ScanSettings } from './settings.ts';
import { objectKindsToRead } from './subjects.ts';

export type { SettingsRecipe } from './parallel-worker.ts';

/**
 * Below this many bytes of manifests, `auto` scans on one thread: starting the workers (each loads the
 * rules and the YAML decoder) costs more than sharing the work saves. Measured with `npm run bench`
 * (the workers table, docs/benchmarks.md): the smallest input at which workers were faster, rounded up.
 */
export const AUTO_WORKERS_MIN_BYTES = 4 * 1024 * 1024;
/** Each worker holds its own heap: more than this many cost memory for little more speed. */
export const MAX_AUTO_WORKERS = 8;

export interface WorkerOptions {
  /**
   * How many worker threads: a number (0: none, the scan stays on this thread; n: n threads, however
   * small the input), or `auto`: one per core when the input has at least AUTO_WORKERS_MIN_BYTES.
   */
  readonly count: number | 'auto';
  /** The worker entry module: it calls serveScanWorker with the rules (src/cli/scan-worker.ts). */
  readonly entry: URL;
  /** What each worker resolves its settings from (the same config, flags and clock reading). */
  readonly recipe: SettingsRecipe;
}

export interface WorkerPlan {
  readonly entry: URL;
  readonly recipe: SettingsRecipe;
  /** Consecutive runs of the scan's files, one per worker, in file order. */
  readonly shares: readonly (readonly string[])[];
}

/**
 * Whether and how to spread `files` over worker threads: undefined keeps the scan on this thread (no
 * workers asked for, standard input among the files, too small an input for `auto`, a single core).
 */
export async function planWorkers(
  files: readonly string[],
  options: WorkerOptions,
): Promise<WorkerPlan | undefined> {
  const { count } = options;
  // Standard input is read by the main thread's reader; one stream gains nothing from workers anyway.
  if (count === 0 || files.length === 0 || files.includes('-')) return undefined;
  const cores = availableParallelism();
  if (count === 'auto' && (cores < 2 || files.length < 2)) return undefined;
  // A file that cannot be stat'ed counts 0 bytes: its worker reports the error when it reads it.
  const sizes = await Promise.all(
    files.map((file) =>
      stat(file).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  if (count === 'auto' && total < AUTO_WORKERS_MIN_BYTES) return undefined;
  const n = Math.min(count === 'auto' ? Math.min(cores, MAX_AUTO_WORKERS) : count, files.length);
  if (n < 1) return undefined;
  return { entry: options.entry, recipe: options.recipe, shares: partitionByBytes(files, sizes, n) };
}

/**
 * Splits files into `n` runs of consecutive files with about the same bytes each (every run holds at
 * least one file). Consecutive, so that each worker's results come in file order.
 */
export function partitionByBytes(files: readonly string[], sizes: readonly number[], n: number): string[][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const shares: string[][] = [];
  let start = 0;
  let cumulative = 0;
  for (let k = 1; k <= n; k++) {
    // Leave at least one file for each share still to come.
    const last = files.length - (n - k);
    let end = start + 1;
    cumulative += sizes[start] ?? 0;
    const target = (total * k) / n;
    while (end < last && cumulative + (sizes[end] ?? 0) / 2 <= target) cumulative += sizes[end++] ?? 0;
    if (k === n) end = files.length;
    shares.push(files.slice(start, end));
    start = end;
  }
  return shares;
}

/**
 * Runs the scan in the plan's workers and feeds their results to the report in the order of the
 * single-threaded scan: every object subject first (workers in order, each in its files' order), then
 * every file in order. Workers' results come as they are made; those ahead of the next file wait.
 */
export function scanInWorkers(
  plan: WorkerPlan,
  settings: ScanSettings,
  options: ManifestOptions & { readonly timings?: ManifestScanTimings },
  tally: ScanTally,
  assembler: ReportAssembler,
): Promise<void> {
  const twoPass = objectKindsToRead(settings).size > 0;
  const ruleIds = settings.activeRules.map((rule) => rule.meta.id);
  const remediation = remediationTexts(settings.activeRules, settings.lang);
  const offsets: number[] = [];
  let fileCount = 0;
  for (const share of plan.shares) {
    offsets.push(fileCount);
    fileCount += share.length;
  }
  const n = plan.shares.length;
  const objects: (readonly WireObject[] | undefined)[] = new Array<undefined>(n);
  const subjects: (
    { results: readonly PreparedResult[]; engineErrors: readonly EngineError[] } | undefined
  )[] = new Array<undefined>(n);
  const finished = new Array<boolean>(n).fill(false);
  let objectsIn = 0;
  let subjectsIn = 0;
  let done = 0;
  // Object subjects precede every file result (as in one thread): files wait until all are in.
  let filesOpen = !twoPass;
  const waiting = new Map<number, FileResult>();
  let next = 0;
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const flush = () => {
      if (!filesOpen) return;
      for (let result = waiting.get(next); result; result = waiting.get(next)) {
        waiting.delete(next++);
        addFileResult(tally, assembler, result);
      }
    };
    const onMessage = (k: number, message: WorkerMessage) => {
      if (failed) return;
      switch (message.type) {
        case 'objects': {
          objects[k] = message.objects;
          if (++objectsIn < n) return;
          const all = objects.flatMap((list) => list ?? []);
          let offset = 0;
          workers.forEach((worker, i) => {
            worker.postMessage({ type: 'facts', objects: all, offset } satisfies FactsMessage);
            offset += objects[i]?.length ?? 0;
          });
          return;
        }
        case 'subjects': {
          subjects[k] = message;
          if (++subjectsIn < n) return;
          for (const entry of subjects) {
            for (const result of withRemediation(entry?.results ?? [], remediation))
              assembler.addPrepared(result);
            for (const error of entry?.engineErrors ?? []) tally.engineErrors.push(error);
          }
          filesOpen = true;
          flush();
          return;
        }
        case 'file':
          withRemediation(message.result.results, remediation);
          waiting.set((offsets[k] as number) + message.index, message.result);
          flush();
          return;
        case 'done':
          finished[k] = true;
          if (message.timings && options.timings) {
            // Summed over the workers: time spent, not time waited.
            options.timings.readMs += message.timings.readMs;
            options.timings.decodeMs += message.timings.decodeMs;
            options.timings.inspectMs += message.timings.inspectMs;
          }
          if (++done < n) return;
          flush();
          if (next !== fileCount) fail(new Error(`scan workers returned ${next} of ${fileCount} files`));
          else resolve();
          return;
        case 'error':
          fail(
            new Error(`scan worker ${k + 1} of ${n} failed: ${message.message}`, { cause: message.stack }),
          );
          return;
      }
    };
    plan.shares.forEach((files, k) => {
      const task: WorkerTask = {
        recipe: plan.recipe,
        ruleIds,
        files,
        ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
        timings: options.timings !== undefined,
      };
      const worker = new Worker(plan.entry, { workerData: task });
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => onMessage(k, message));
      worker.on('error', (error) =>
        fail(
          new Error(
            `scan worker ${k + 1} of ${n} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ),
      );
      // Messages posted before a thread ends arrive before its exit: an exit without `done` is a crash.
      worker.on('exit', (code) => {
        if (!finished[k])
          fail(new Error(`scan worker ${k + 1} of ${n} ended (status ${code}) before its files were done`));
      });
    });
  });
}
