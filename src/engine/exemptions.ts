import type { ObjectMeta } from '../workloads/schema.ts';
import type { WorkloadRef } from '../workloads/model.ts';
import type { Exemption } from './finding.ts';
import { anyGlobMatch } from './glob.ts';
import type { FieldPath } from '../shared/field-path.ts';

export const EXEMPT_ANNOTATION_PREFIX = 'kube-patrol.io/exempt.';

export interface AnnotationExemption {
  readonly ruleId: string;
  /** Only this container, or every container and the pod when null. */
  readonly container: string | null;
  readonly reason: string;
  readonly annotation: string;
  /** Path of the annotation inside the object. */
  readonly path: FieldPath;
}

/** A config exemption (see the config schema), with `expires` already parsed. */
export interface ConfigExemption {
  readonly rules: readonly string[];
  readonly namespaces?: readonly string[];
  readonly names?: readonly string[];
  readonly kinds?: readonly string[];
  readonly containers?: readonly string[];
  readonly reason: string;
  readonly expires?: Date;
}

/** Reads `kube-patrol.io/exempt.<rule>[.<container>]` annotations from the object and its pod template. */
export function readAnnotationExemptions(
  sources: readonly { meta: ObjectMeta; path: FieldPath }[],
): AnnotationExemption[] {
  const out: AnnotationExemption[] = [];
  for (const { meta, path } of sources) {
    const annotations = meta.annotations;
    if (!annotations) continue;
    for (const [key, value] of Object.entries(annotations)) {
      if (!key.startsWith(EXEMPT_ANNOTATION_PREFIX)) continue;
      const rest = key.slice(EXEMPT_ANNOTATION_PREFIX.length);
      const dot = rest.indexOf('.');
      out.push({
        ruleId: dot === -1 ? rest : rest.slice(0, dot),
        container: dot === -1 ? null : rest.slice(dot + 1),
        reason: value === null || value === undefined ? '' : String(value).trim(),
        annotation: key,
        path: [...path, 'annotations', key],
      });
    }
  }
  return out;
}

export interface ExemptionQuery {
  readonly ruleIds: readonly string[];
  readonly workload: WorkloadRef;
  readonly container: string | null;
}

export function findAnnotationExemption(
  list: readonly AnnotationExemption[],
  query: ExemptionQuery,
): Exemption | undefined {
  for (const entry of list) {
    if (!query.ruleIds.includes(entry.ruleId) || entry.reason === '') continue;
    if (entry.container !== null && entry.container !== query.container) continue;
    return { by: 'annotation', reason: entry.reason };
  }
  return undefined;
}

export interface ConfigExemptionMatch {
  readonly active?: Exemption;
  readonly expired?: Exemption;
}

export function findConfigExemption(
  list: readonly ConfigExemption[],
  query: ExemptionQuery,
  now: Date,
): ConfigExemptionMatch {
  let expired: Exemption | undefined;
  for (const entry of list) {
    if (!entry.rules.some((rule) => rule === '*' || query.ruleIds.includes(rule))) continue;
    if (!anyGlobMatch(entry.namespaces, query.workload.namespace)) continue;
    if (!anyGlobMatch(entry.names, query.workload.name)) continue;
    if (!anyGlobMatch(entry.kinds, query.workload.kind)) continue;
    if (
      entry.containers &&
      entry.containers.length > 0 &&
      (query.container === null || !anyGlobMatch(entry.containers, query.container))
    )
      continue;
    const exemption: Exemption = {
      by: 'config',
      reason: entry.reason,
      ...(entry.expires ? { expires: entry.expires.toISOString() } : {}),
    };
    if (entry.expires && entry.expires.getTime() <= now.getTime()) {
      expired ??= exemption;
      continue;
    }
    return { active: exemption };
  }
  return expired ? { expired } : {};
}
