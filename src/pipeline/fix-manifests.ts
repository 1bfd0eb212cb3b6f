/**
 * `kube-patrol fix` over manifest files: the manifest scan decides what to fix (the same reading, rules,
 * config and exemptions as `scan`, so the two agree), the fixes' patches are written into the text of each
 * file (fixes/yaml-edit.ts), and every edit is checked by decoding the new text again: each workload must
 * be exactly its old object with its patch applied, every other object unchanged. Nothing is written here.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyPatch, selectFixes, workloadPatch, type FixSelection, type JsonObject } from '../engine/fix.ts';
import { editYamlText } from '../fixes/yaml-edit.ts';
import type { ReportError } from '../report/model.ts';
import { decodeManifests, type ManifestOptions } from '../sources/manifests.ts';
import { workloadRef, type Workload, type WorkloadRef } from '../workloads/model.ts';
import { scanManifests } from './scan-manifests.ts';
import type { ScanSettings } from './settings.ts';

/** One workload's fixes: which rules' findings they fix (one entry per finding) and their combined patch. */
export interface WorkloadFix {
  readonly workload: WorkloadRef & { readonly apiVersion: string };
  readonly rules: readonly string[];
  readonly patch: JsonObject;
}

export interface FileFix {
  readonly file: string;
  readonly before: string;
  /** The new text; null when the file could not be edited (its error is in `errors`). */
  readonly after: string | null;
  readonly workloads: readonly WorkloadFix[];
}

export interface ManifestFixPlan {
  /** Files with something to fix, in scan order. */
  readonly files: readonly FileFix[];
  /** Inputs that could not be read, parsed or edited: each names its file. */
  readonly errors: readonly ReportError[];
}

/** A workload to patch, while its file is edited. */
interface PendingFix {
  readonly workload: Workload;
  readonly rules: readonly string[];
  readonly patch: JsonObject;
}

export async function planManifestFixes(
  paths: readonly string[],
  settings: ScanSettings,
  selection: FixSelection,
  options: ManifestOptions = {},
): Promise<ManifestFixPlan> {
  const texts = new Map<string, string>();
  const errors: ReportError[] = [];
  const files: FileFix[] = [];
  // A file's results come one after the other (scan-manifests inspects a file at a time): the file is
  // edited when the next one starts, and its text and objects let go.
  let current: { file: string; workloads: Workload[]; fixes: PendingFix[] } | undefined;
  const finish = () => {
    if (!current) return;
    const { file, workloads, fixes } = current;
    const before = texts.get(file) ?? '';
    texts.delete(file);
    current = undefined;
    if (fixes.length === 0) return;
    const after = editFile(file, before, fixes, workloads, settings, errors);
    files.push({
      file,
      before,
      after,
      workloads: fixes.map(({ workload, rules, patch }) => ({
        workload: { ...workloadRef(workload), apiVersion: workload.apiVersion },
        rules,
        patch,
      })),
    });
  };
  const { report } = await scanManifests(paths, settings, {
    ...options,
    observe: {
      text: (file, text) => texts.set(file, text),
      result: (file, workload, result) => {
        if (current?.file !== file) {
          finish();
          current = { file, workloads: [], fixes: [] };
        }
        current.workloads.push(workload);
        const patch = workloadPatch(result.findings, selection);
        if (patch)
          current.fixes.push({
            workload,
            rules: selectFixes(result.findings, selection).map((f) => f.ruleId),
            patch,
          });
      },
    },
  });
  finish();
  // The scan's errors first (files it could not read), then those of editing.
  return { files, errors: [...report.errors, ...errors] };
}

function editFile(
  file: string,
  before: string,
  fixes: readonly PendingFix[],
  all: readonly Workload[],
  settings: ScanSettings,
  errors: ReportError[],
): string | null {
  const targets = [];
  for (const { workload, patch } of fixes) {
    const line = workload.origin.lineOf?.([]);
    if (line === undefined) {
      errors.push({ source: file, message: `not changed: cannot locate ${workload.kind} ${workload.name}` });
      return null;
    }
    targets.push({
      line,
      documentPath: workload.origin.documentPath,
      kind: workload.kind,
      name: workload.name,
      patch,
    });
  }
  const edited = editYamlText(before, targets);
  if ('error' in edited) {
    errors.push({
      source: file,
      message: `not changed: ${edited.error}`,
      ...(edited.line === undefined ? {} : { line: edited.line }),
    });
    return null;
  }
  // The new text must decode to the old objects with exactly their patches applied.
  const collect = new Set(settings.activeRules.flatMap((r) => r.meta.facts ?? []));
  const decoded = decodeManifests(file, edited.text, collect).extraction;
  const patches = new Map(fixes.map((f) => [f.workload, f.patch]));
  const expected = all.map((w) => {
    const patch = patches.get(w);
    return patch ? applyPatch(w.object, patch) : w.object;
  });
  const same =
    decoded.errors.length === 0 &&
    decoded.workloads.length === expected.length &&
    decoded.workloads.every((w, i) => isDeepStrictEqual(w.object, expected[i]));
  if (!same) {
    errors.push({
      source: file,
      message:
        'not changed: the edited text would not read back as the fixed objects (a kube-patrol bug; use --patches-out meanwhile)',
    });
    return null;
  }
  return edited.text;
}
