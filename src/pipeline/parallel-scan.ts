import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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
import type { KubeObject } from '../engine/subject.ts';
import {
  toWire,
  withLocalObjects,
  withRemediation,
  type FactsMessage,
  type SettingsRecipe,
  type WireObject,
  type WorkerMessage,
  type WorkerTask,
} from './parallel-worker.ts';
import type { ScanSettings } from './settings.ts';
import { scanFiles } from './scan-files.ts';
import { objectKindsToRead } from './subjects.ts';

export type { SettingsRecipe } from './parallel-worker.ts';

// The threshold lives apart, so that the CLI's option help can name it without loading this module.
import { AUTO_WORKERS_MIN_BYTES } from './auto-workers.ts';

export { AUTO_WORKERS_MIN_BYTES };
export const MAX_AUTO_WORKERS = 8;

export interface WorkerOptions {
  /**
   * How many worker threads besides this thread, which scans a share of the files too: a number (0:
   * none; n: n workers, however small the input, as long as there are files to share), or `auto`: one per
   * core but this thread's when the input has at least AUTO_WORKERS_MIN_BYTES.
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
  /** Consecutive runs of the scan's files in file order: the first for this thread, one per worker after. */
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
  // This thread scans a share too: n shares for n - 1 workers.
  const n = Math.min(1 + (count === 'auto' ? Math.min(cores - 1, MAX_AUTO_WORKERS) : count), files.length);
  if (n < 2) return undefined;
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
 * Runs the scan on this thread (the first share of files) and in the plan's workers (one share each), and
 * feeds the results to the report in the order of the single-threaded scan: every object subject first
 * (shares in order, each in its files' order), then every file in order. Results come as they are made;
 * those ahead of the next file wait.
 */
export async function scanInWorkers(
  plan: WorkerPlan,
  settings: ScanSettings,
  options: ManifestOptions & { readonly timings?: ManifestScanTimings },
  tally: ScanTally,
  assembler: ReportAssembler,
): Promise<readonly KubeObject[]> {
  // Imported when workers start: a scan that stays on one thread never loads it (issue 17).
  const { Worker } = await import('node:worker_threads');
  const twoPass = objectKindsToRead(settings).size > 0;
  // Every object of the scan as this thread knows it (its own with their full line resolver).
  let everyObject: readonly KubeObject[] = [];
  const ruleIds = settings.activeRules.map((rule) => rule.meta.id);
  const remediation = remediationTexts(settings.activeRules, settings.lang);
  const offsets: number[] = [];
  let fileCount = 0;
  for (const share of plan.shares) {
    offsets.push(fileCount);
    fileCount += share.length;
  }
  // Share 0 is this thread's, shares 1.. the workers'.
  const n = plan.shares.length;
  const objects: (readonly WireObject[] | undefined)[] = new Array<undefined>(n);
  const subjects: (
    { results: readonly PreparedResult[]; engineErrors: readonly EngineError[] } | undefined
  )[] = new Array<undefined>(n);
  const finished = new Array<boolean>(n).fill(false);
  let objectsIn = 0;
  let subjectsIn = 0;
  // Object subjects precede every file result (as in one thread): files wait until all are in.
  let filesOpen = !twoPass;
  const waiting = new Map<number, FileResult>();
  let next = 0;
  const workers: InstanceType<typeof Worker>[] = [];
  let failure: Error | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let factsHere: { local: readonly KubeObject[]; resolve: (all: KubeObject[]) => void } | undefined;
  const allDone = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    for (const worker of workers) void worker.terminate();
    settle?.reject(error);
  };
  const flush = () => {
    if (!filesOpen) return;
    for (let result = waiting.get(next); result; result = waiting.get(next)) {
      waiting.delete(next++);
      addFileResult(tally, assembler, result);
    }
  };
  const finish = (k: number) => {
    finished[k] = true;
    if (finished.every(Boolean)) {
      flush();
      if (next !== fileCount) fail(new Error(`the scan threads returned ${next} of ${fileCount} files`));
      else settle?.resolve();
    }
  };
  const objectsOf = (k: number, list: readonly WireObject[]) => {
    objects[k] = list;
    if (++objectsIn < n) return;
    const all = objects.flatMap((share) => share ?? []);
    let offset = 0;
    for (let k = 0; k < n; k++) {
      if (k === 0 && factsHere) {
        everyObject = withLocalObjects(all, 0, factsHere.local);
        factsHere.resolve([...everyObject]);
      } else workers[k - 1]?.postMessage({ type: 'facts', objects: all, offset } satisfies FactsMessage);
      offset += objects[k]?.length ?? 0;
    }
  };
  const subjectsOf = (
    k: number,
    results: readonly PreparedResult[],
    engineErrors: readonly EngineError[],
  ) => {
    subjects[k] = { results, engineErrors };
    if (++subjectsIn < n) return;
    for (const entry of subjects) {
      for (const result of entry?.results ?? []) assembler.addPrepared(result);
      for (const error of entry?.engineErrors ?? []) tally.engineErrors.push(error);
    }
    filesOpen = true;
    flush();
  };
  const onMessage = (k: number, message: WorkerMessage) => {
    if (failure) return;
    switch (message.type) {
      case 'objects':
        return objectsOf(k, message.objects);
      case 'subjects':
        return subjectsOf(k, withRemediation(message.results, remediation), message.engineErrors);
      case 'file':
        withRemediation(message.result.results, remediation);
        waiting.set((offsets[k] as number) + message.index, message.result);
        return flush();
      case 'done':
        if (message.timings && options.timings) {
          // Summed over the threads: time spent, not time waited.
          options.timings.readMs += message.timings.readMs;
          options.timings.decodeMs += message.timings.decodeMs;
          options.timings.inspectMs += message.timings.inspectMs;
        }
        return finish(k);
      case 'error':
        return fail(
          new Error(`scan worker ${k} of ${n - 1} failed: ${message.message}`, { cause: message.stack }),
        );
    }
  };
  // The workers first: they start (load the rules) while this thread scans its own share.
  plan.shares.forEach((files, k) => {
    if (k === 0) return;
    const task: WorkerTask = {
      recipe: plan.recipe,
      ruleIds,
      files,
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
      timings: options.timings !== undefined,
    };
    const worker = new Worker(plan.entry, { workerData: task });
    workers.push(worker);
    const label = `scan worker ${k} of ${n - 1}`;
    worker.on('message', (message: WorkerMessage) => onMessage(k, message));
    worker.on('error', (error) =>
      fail(new Error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`)),
    );
    // Messages posted before a thread ends arrive before its exit: an exit without `done` is a crash.
    worker.on('exit', (code) => {
      if (!finished[k]) fail(new Error(`${label} ended (status ${code}) before its files were done`));
    });
  });
  const here = scanFiles(plan.shares[0] as readonly string[], settings, options, {
    facts(local) {
      return new Promise<KubeObject[]>((resolve, reject) => {
        if (failure) return reject(failure);
        factsHere = { local, resolve };
        allDone.catch(reject);
        objectsOf(0, local.map(toWire));
      });
    },
    subjects: (results, engineErrors) => subjectsOf(0, results, engineErrors),
    file(index, result) {
      waiting.set(index, result);
      flush();
    },
  }).then(
    () => finish(0),
    (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
  );
  await Promise.all([here, allDone]);
  return everyObject;
}
