import type { ConfigFile } from '../config/schema.ts';
import type { EngineError } from '../engine/run.ts';
import type { KubeObject } from '../engine/subject.ts';
import type { PreparedResult } from '../report/build.ts';
import type { FieldPath } from '../shared/field-path.ts';
import type { FileResult, ManifestScanTimings } from './manifest-files.ts';
import { scanFiles } from './scan-files.ts';
import type { ScanSettings, SettingsFlags } from './settings.ts';

/**
 * What a worker rebuilds the scan settings from: the config file and flags as read, and the clock
 * reading of the scan (exemption expiry). Plain data: settings hold rule objects and functions, which do
 * not cross threads, so each worker resolves its own from the same inputs.
 */
export interface SettingsRecipe {
  readonly config: ConfigFile;
  readonly flags: SettingsFlags;
  readonly now: Date;
}

/** The worker's task, as workerData. */
export interface WorkerTask {
  readonly recipe: SettingsRecipe;
  /** The active rule ids of the scan: a worker whose settings differ refuses to scan. */
  readonly ruleIds: readonly string[];
  /** This worker's share: consecutive files of the scan. */
  readonly files: readonly string[];
  readonly maxFileBytes?: number;
  readonly timings: boolean;
}

/**
 * A KubeObject as it crosses threads: the line resolver (a function) stays behind, with the line of the
 * object itself, which is all another file's rules read of a fact (RBAC evidence names where a binding
 * is). Object subjects are inspected by the worker that read them, with their full resolver.
 */
export interface WireObject extends Omit<KubeObject, 'origin'> {
  /** `lines`: the line of each of WIRE_LINE_PATHS (null: not in the source). */
  readonly origin: {
    readonly file: string;
    readonly documentPath: FieldPath;
    readonly lines: readonly (number | null)[];
  };
}

export type WorkerMessage =
  | { readonly type: 'objects'; readonly objects: readonly WireObject[] }
  | {
      readonly type: 'subjects';
      readonly results: readonly PreparedResult[];
      readonly engineErrors: readonly EngineError[];
    }
  | { readonly type: 'file'; readonly index: number; readonly result: FileResult }
  | { readonly type: 'done'; readonly timings?: ManifestScanTimings }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };

/** From the thread that assembles the report: every object of the scan; this worker's from `offset`. */
export interface FactsMessage {
  readonly type: 'facts';
  readonly objects: readonly WireObject[];
  readonly offset: number;
}

/**
 * The metadata paths whose lines cross with an object: the thread that assembles the report inspects the
 * namespaces after every workload (pod-security.ts), and their findings point into the metadata (at the
 * deepest existing part of the path, so these three cover a missing label or annotation).
 */
const WIRE_LINE_PATHS: readonly (readonly string[])[] = [
  [],
  ['metadata'],
  ['metadata', 'labels'],
  ['metadata', 'annotations'],
];

export function toWire(object: KubeObject): WireObject {
  const { file, documentPath, lineOf } = object.origin;
  const lines: (number | null)[] = WIRE_LINE_PATHS.map((path) => lineOf?.(path) ?? null);
  return { ...object, origin: { file, documentPath, lines } };
}

/**
 * Every object of the scan, for one thread's facts: its own objects (at `offset`) as it read them, with
 * their full line resolver, the other threads' rebuilt from the wire.
 */
export function withLocalObjects(
  all: readonly WireObject[],
  offset: number,
  local: readonly KubeObject[],
): KubeObject[] {
  return all.map((wire, i) => {
    const at = i - offset;
    return at >= 0 && at < local.length ? (local[at] as KubeObject) : fromWire(wire);
  });
}

function fromWire(object: WireObject): KubeObject {
  const { file, documentPath, lines } = object.origin;
  const lineOf = (path: FieldPath): number | undefined => {
    const at = WIRE_LINE_PATHS.findIndex(
      (known) => known.length === path.length && known.every((key, i) => key === path[i]),
    );
    return at < 0 ? undefined : (lines[at] ?? undefined);
  };
  return { ...object, origin: { file, documentPath, lineOf } };
}

/**
 * Blanks each finding's remediation, which is its rule's text and restored by the receiver
 * (withRemediation): copied into every finding it would be nearly half of what crosses threads, and one
 * copy per finding on the receiving side instead of one per rule.
 */
function withoutRemediation(results: readonly PreparedResult[]): readonly PreparedResult[] {
  for (const result of results)
    for (const finding of result.findings) (finding as { remediation: string }).remediation = '';
  return results;
}

/** Restores what withoutRemediation blanked: the key stays in place, so findings serialise the same. */
export function withRemediation(
  results: readonly PreparedResult[],
  remediation: (ruleId: string) => string,
): readonly PreparedResult[] {
  for (const result of results)
    for (const finding of result.findings)
      (finding as { remediation: string }).remediation = remediation(finding.ruleId);
  return results;
}

/**
 * The body of a scan worker thread (the entry module, src/cli/scan-worker.ts, supplies the rules):
 * rebuilds the settings, scans its files with the same loop as a single-threaded scan and posts each
 * result as it is made. The thread ends when its files are done (nothing is left listening).
 */
export async function serveScanWorker(rebuild: (recipe: SettingsRecipe) => ScanSettings): Promise<void> {
  // Imported here, not at the top: this module is in the CLI's scan chunk, and a one-file scan never
  // needs worker_threads (about 3 ms to load, issue 17).
  const { parentPort, workerData } = await import('node:worker_threads');
  const port = parentPort;
  if (!port) throw new Error('serveScanWorker runs in a worker thread');
  const task = workerData as WorkerTask;
  const post = (message: WorkerMessage) => port.postMessage(message);
  try {
    const settings = rebuild(task.recipe);
    const ids = settings.activeRules.map((rule) => rule.meta.id);
    if (ids.join('\n') !== task.ruleIds.join('\n'))
      throw new Error(
        `the worker's rules differ from the scan's (${ids.length} against ${task.ruleIds.length})`,
      );
    const timings: ManifestScanTimings | undefined = task.timings
      ? { readMs: 0, decodeMs: 0, inspectMs: 0, buildMs: 0 }
      : undefined;
    await scanFiles(
      task.files,
      settings,
      {
        ...(task.maxFileBytes === undefined ? {} : { maxFileBytes: task.maxFileBytes }),
        ...(timings ? { timings } : {}),
      },
      {
        facts(objects) {
          post({ type: 'objects', objects: objects.map(toWire) });
          return new Promise((resolve) => {
            port.once('message', (message: FactsMessage) => {
              resolve(withLocalObjects(message.objects, message.offset, objects));
            });
          });
        },
        subjects: (results, engineErrors) =>
          post({ type: 'subjects', results: withoutRemediation(results), engineErrors }),
        file: (index, result) => {
          withoutRemediation(result.results);
          post({ type: 'file', index, result });
        },
      },
    );
    post({ type: 'done', ...(timings ? { timings } : {}) });
  } catch (error) {
    post(
      error instanceof Error
        ? { type: 'error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
        : { type: 'error', message: String(error) },
    );
  }
}
