/**
 * The `kubectl patch` command per workload of a report (issue 16): the strategic-merge patches of its
 * fixable findings combined into one patch, on the object a person edits (the scan already reports a
 * Deployment's pods on the Deployment). Quoted for a POSIX shell. Pure: a function of the report.
 */
import { mergePatches, selectFixes, type FixSafety, type JsonObject } from '../engine/fix.ts';
import { workloadKind } from '../workloads/kinds.ts';
import { workloadKey, type WorkloadRef } from '../workloads/model.ts';
import type { ReportFinding } from './model.ts';

export interface WorkloadFixCommands extends WorkloadRef {
  /** Rule ids whose fixes are safe / need a review, for this workload. */
  readonly safeRules: readonly string[];
  readonly reviewRules: readonly string[];
  /** The command with the safe fixes; null when there are none. */
  readonly safe: string | null;
  /** The command with every fix, review ones included; null when there is no review fix. */
  readonly all: string | null;
  /** Pods cannot take most of these fields in place: the command is for their manifest, not the cluster. */
  readonly immutable: boolean;
}

/** A word as a POSIX shell reads it: bare when it can be, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `kubectl patch <resource>.<group> <name> -n <ns> --type=strategic -p '<json>'`. */
export function kubectlPatchCommand(ref: WorkloadRef, patch: JsonObject): string {
  const kind = workloadKind(ref.kind);
  const group =
    kind && kind.apiVersion.includes('/') ? kind.apiVersion.slice(0, kind.apiVersion.indexOf('/')) : '';
  const resource = kind ? `${kind.resource}${group ? `.${group}` : ''}` : ref.kind.toLowerCase();
  const words = ['kubectl', 'patch', resource, ref.name];
  if (ref.namespace) words.push('-n', ref.namespace);
  words.push('--type=strategic', '-p', JSON.stringify(patch));
  return words.map(shellQuote).join(' ');
}

/** Per workload with an unexempted fixable finding, in report order. */
export function fixCommands(findings: readonly ReportFinding[]): WorkloadFixCommands[] {
  const byWorkload = new Map<string, ReportFinding[]>();
  for (const finding of selectFixes(findings, { includeReview: true })) {
    const key = workloadKey(finding.workload);
    let list = byWorkload.get(key);
    if (!list) byWorkload.set(key, (list = []));
    list.push(finding);
  }
  return [...byWorkload.values()].map((list) => {
    const ref = (list[0] as ReportFinding).workload;
    const of = (safety: FixSafety) => [
      ...new Set(list.filter((f) => f.fix?.safety === safety).map((f) => f.ruleId)),
    ];
    const safe = list.filter((f) => f.fix?.safety === 'safe');
    const command = (chosen: readonly ReportFinding[]) =>
      kubectlPatchCommand(ref, mergePatches(chosen.map((f) => (f.fix as { patch: JsonObject }).patch)));
    const reviewRules = of('review');
    return {
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      safeRules: of('safe'),
      reviewRules,
      safe: safe.length > 0 ? command(safe) : null,
      all: reviewRules.length > 0 ? command(list) : null,
      immutable: ref.kind === 'Pod',
    };
  });
}
