import { activeRules, createObjectInspector, type EngineError, type SubjectResult } from '../engine/run.ts';
import {
  SUBJECT_OBJECT_KINDS,
  subjectKindOfObject,
  type Facts,
  type KubeObject,
  type ObjectSubject,
} from '../engine/subject.ts';
import type { ScanSettings } from './settings.ts';

/**
 * The object kinds a scan reads besides its workloads: every kind some active rule reads as a fact, and
 * every kind of an object subject kind that some active rule inspects. Empty for the pod-spec rules alone,
 * so such scans read nothing more than before.
 */
export function objectKindsToRead(settings: ScanSettings): Set<string> {
  const kinds = new Set<string>();
  for (const { rule } of activeRules(settings.engine)) {
    for (const kind of rule.meta.facts ?? []) kinds.add(kind);
    if (rule.meta.subject !== 'pod-spec')
      for (const kind of SUBJECT_OBJECT_KINDS[rule.meta.subject]) kinds.add(kind);
  }
  return kinds;
}

/** Inspects every object that is a subject of an active rule, in reading order. */
export function inspectObjectSubjects(
  objects: readonly KubeObject[],
  settings: ScanSettings,
  facts: Facts,
  errors: EngineError[],
): SubjectResult[] {
  const inspected = new Set(activeRules(settings.engine).map(({ rule }) => rule.meta.subject));
  const inspect = createObjectInspector(settings.engine, facts);
  const results: SubjectResult[] = [];
  for (const object of objects) {
    const subject = subjectKindOfObject(object.kind);
    if (!subject || !inspected.has(subject)) continue;
    const asSubject: ObjectSubject = { ...object, subject };
    results.push(inspect(asSubject, errors));
  }
  return results;
}
