import type { EngineError, Inspector } from '../engine/run.ts';
import { createInspector } from '../engine/run.ts';
import { createFacts, type KubeObject } from '../engine/subject.ts';
import { resultPreparer, type PreparedResult } from '../report/build.ts';
import { decodeManifests, type ManifestFile, type ManifestOptions } from '../sources/manifests.ts';
import { emptyExtraction, type Extraction } from '../workloads/extract.ts';
import {
  inspectFile,
  kindMentions,
  readAhead,
  type FileResult,
  type ManifestScanObserver,
  type ManifestScanTimings,
} from './manifest-files.ts';
import type { ScanSettings } from './settings.ts';
import { inspectObjectSubjects, objectKindsToRead } from './subjects.ts';
import { createPodSecurityPass, inspectedFirst, wantsPodSecurity } from './pod-security.ts';
import { monotonicMs } from '../shared/clock.ts';

/** Where the results of scanFiles go: into a report on this thread, or to the thread that assembles it. */
export interface FileSink {
  /**
   * Two-pass scans only: the objects these files hold (in reading order); returns every object of the
   * scan in reading order, which the facts are made of.
   */
  facts(objects: readonly KubeObject[]): readonly KubeObject[] | Promise<readonly KubeObject[]>;
  /** The object subjects of these files (RBAC objects, ...): before any file result. */
  subjects(results: readonly PreparedResult[], engineErrors: readonly EngineError[]): void;
  /** One file's result; `index` is the file's position in `files`. */
  file(index: number, result: FileResult): void;
}

/**
 * Reads, decodes and inspects `files` in their order, the next file read while this one is decoded. The
 * one scan loop of both the single-threaded scan and each worker thread (which runs it on its share of
 * the files), so the two give the same results.
 */
export async function scanFiles(
  files: readonly string[],
  settings: ScanSettings,
  options: ManifestOptions & {
    readonly timings?: ManifestScanTimings;
    readonly observe?: ManifestScanObserver;
  },
  sink: FileSink,
): Promise<void> {
  const timings = options.timings;
  const prepare = resultPreparer(settings.activeRules, settings.lang);
  const collect = objectKindsToRead(settings);
  // Namespaces wait for every workload's verdict: the thread that assembles the report inspects them.
  const podSecurity = wantsPodSecurity(collect) ? createPodSecurityPass(settings) : undefined;
  const addFile = (index: number, read: boolean, extraction: Extraction, inspector: Inspector) => {
    const mark = monotonicMs();
    const result = inspectFile(
      files[index] as string,
      read,
      extraction,
      inspector,
      prepare,
      options.observe,
      podSecurity?.verdictOf,
    );
    if (timings) timings.inspectMs += monotonicMs() - mark;
    sink.file(index, result);
  };
  const decode = (file: string, read: string | ManifestFile): Extraction => {
    const mark = monotonicMs();
    const { extraction } = typeof read === 'string' ? decodeManifests(file, read, collect) : read;
    if (timings) timings.decodeMs += monotonicMs() - mark;
    return extraction;
  };
  if (collect.size === 0) {
    const inspector = createInspector(settings.engine);
    let index = 0;
    for await (const { file, read } of readAhead(files, options, timings)) {
      if (typeof read === 'string') options.observe?.text?.(file, read);
      addFile(index++, typeof read === 'string', decode(file, read), inspector);
    }
    return;
  }
  // Rules that read other objects (facts) or inspect objects need every such object before any workload
  // is inspected: a first pass decodes the files that may hold one (their text names a kind asked for)
  // and keeps the rest as text for the second pass.
  type Pending = { read: boolean } & ({ extraction: Extraction } | { text: string });
  const pending: Pending[] = [];
  const objects: KubeObject[] = [];
  const namesKind = kindMentions(collect);
  for await (const { file, read } of readAhead(files, options, timings)) {
    const isText = typeof read === 'string';
    if (isText) options.observe?.text?.(file, read);
    if (isText && !namesKind(read)) {
      pending.push({ read: true, text: read });
    } else {
      const extraction = decode(file, read);
      pending.push({ read: isText, extraction });
      for (const object of extraction.objects) objects.push(object);
    }
  }
  const all = await sink.facts(objects);
  // In files, a kind counts as known when the files hold at least one object of it.
  const facts = createFacts(
    all,
    all.map((o) => o.kind),
  );
  const engineErrors: EngineError[] = [];
  sink.subjects(
    inspectObjectSubjects(inspectedFirst(objects, podSecurity), settings, facts, engineErrors).map(prepare),
    engineErrors,
  );
  const withFacts = createInspector(settings.engine, facts);
  // Files in their order; each is let go once inspected.
  for (let i = 0; i < pending.length; i++) {
    const entry = pending[i] as Pending;
    const file = files[i] as string;
    addFile(i, entry.read, 'text' in entry ? decode(file, entry.text) : entry.extraction, withFacts);
    pending[i] = { read: entry.read, extraction: emptyExtraction() };
  }
}
