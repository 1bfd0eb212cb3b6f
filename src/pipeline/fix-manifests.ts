/**
 * `kube-patrol fix` over manifest files: the manifest scan decides what to fix (the same reading, rules,
 * config and exemptions as `scan`, so the two agree), the fixes' patches are written into the text of each
 * file (fixes/yaml-edit.ts), and every edit is checked by decoding the new text again: each workload must
 * be exactly its old object with its patch applied, every other object unchanged. Nothing is written here.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyPatch, selectFixes, workloadPatch, type FixSelection, type JsonObject } from '../engine/fix.ts';
import type { Finding } from '../engine/finding.ts';
import { editYamlText } from '../fixes/yaml-edit.ts';
import type { InspectionReport, ReportError } from '../report/model.ts';
import { decodeManifests, type ManifestOptions } from '../sources/manifests.ts';
import type { Workload } from '../workloads/model.ts';
import { scanManifests } from './scan-manifests.ts';
import type { ScanSettings } from './settings.ts';

/** One workload's fixes: the findings they fix and their combined patch. */
export interface WorkloadFix {
  readonly workload: Workload;
  readonly findings: readonly Finding[];
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
  /** The scan the fixes come from. */
  readonly report: InspectionReport;
}

export async function planManifestFixes(
  paths: readonly string[],
  settings: ScanSettings,
  selection: FixSelection,
  options: ManifestOptions = {},
): Promise<ManifestFixPlan> {
  const texts = new Map<string, string>();
  const workloads = new Map<string, Workload[]>();
  const fixes = new Map<string, WorkloadFix[]>();
  const { report } = await scanManifests(paths, settings, {
    ...options,
    observe: {
      text: (file, text) => texts.set(file, text),
      result: (file, workload, result) => {
        let list = workloads.get(file);
        if (!list) workloads.set(file, (list = []));
        list.push(workload);
        const patch = workloadPatch(result.findings, selection);
        if (!patch) return;
        let fileFixes = fixes.get(file);
        if (!fileFixes) fixes.set(file, (fileFixes = []));
        fileFixes.push({ workload, findings: selectFixes(result.findings, selection), patch });
      },
    },
  });
  const errors: ReportError[] = [...report.errors];
  const files: FileFix[] = [];
  for (const [file, fileFixes] of fixes) {
    const before = texts.get(file) ?? '';
    const after = editFile(file, before, fileFixes, workloads.get(file) ?? [], settings, errors);
    files.push({ file, before, after, workloads: fileFixes });
  }
  return { files, errors, report };
}

function editFile(
  file: string,
  before: string,
  fixes: readonly WorkloadFix[],
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
