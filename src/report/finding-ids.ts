import type { Finding } from '../engine/finding.ts';
import { sha256Hex } from '../shared/sha256.ts';
import { workloadKey, type WorkloadRef } from '../workloads/model.ts';

/** Hex digits of a finding id taken from its workload, and from the rest of its key. */
const WORKLOAD_ID_DIGITS = 12;
const FINDING_ID_DIGITS = 8;
export const FINDING_ID_LENGTH = WORKLOAD_ID_DIGITS + FINDING_ID_DIGITS;

type FindingKey = Pick<Finding, 'ruleId' | 'workload' | 'container' | 'path' | 'missing'>;

const restKey = (f: FindingKey): string =>
  `${f.ruleId}\u0000${f.container ?? ''}\u0000${f.path}\u0000${f.missing ?? ''}`;

/**
 * A finding's id, stable across scans: 12 hex digits of the sha256 of its workload, then 8 of the sha256
 * of its rule, container, path and missing field. Findings of one workload share the first part and the
 * same rule at the same path shares the second, so ids cost a compressor little (ADR 0006); two findings
 * collide only if both parts do (80 bits in all).
 */
export function findingId(finding: FindingKey): string {
  return (
    sha256Hex(workloadKey(finding.workload), WORKLOAD_ID_DIGITS) +
    sha256Hex(restKey(finding), FINDING_ID_DIGITS)
  );
}

/** findingId with both parts memoized, for the many findings of one scan (or one report read back). */
export function findingIds(): (finding: FindingKey) => string {
  // Findings of one workload usually share its WorkloadRef object: looked up by identity first.
  const byRef = new WeakMap<WorkloadRef, string>();
  const byKey = new Map<string, string>();
  const rests = new Map<string, string>();
  return (finding) => {
    let head = byRef.get(finding.workload);
    if (head === undefined) {
      const w = workloadKey(finding.workload);
      head = byKey.get(w);
      if (head === undefined) byKey.set(w, (head = sha256Hex(w, WORKLOAD_ID_DIGITS)));
      byRef.set(finding.workload, head);
    }
    const r = restKey(finding);
    let tail = rests.get(r);
    if (tail === undefined) rests.set(r, (tail = sha256Hex(r, FINDING_ID_DIGITS)));
    return head + tail;
  };
}

/**
 * The findings of a report read back from storage, with ids derived anew from their fields: a report
 * written by an earlier version (whose ids were made differently) still diffs finding by finding.
 */
export function withCurrentIds<F extends FindingKey & { readonly id: string }>(findings: readonly F[]): F[] {
  const ids = findingIds();
  return findings.map((f) => {
    const id = ids(f);
    return id === f.id ? f : { ...f, id };
  });
}
