import type { FieldPath } from '../shared/field-path.ts';
import type { ObjectMeta, PodSpec } from './schema.ts';

/** Where a workload came from, for error messages and file:line locations. */
export interface WorkloadOrigin {
  /** A file path, `-` for stdin, or `cluster` for objects read from the API. */
  readonly file: string;
  /** Path of the object inside its YAML/JSON document (non-empty for `kind: List` items). */
  readonly documentPath: FieldPath;
  /** Resolves a field path inside the object to a 1-based line, when the source keeps positions. */
  readonly lineOf?: (pathInObject: FieldPath) => number | undefined;
}

export interface WorkloadRef {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
}

/**
 * One object that carries a pod template, reduced to what the engine needs. Field paths in findings
 * are relative to `object`, the object as it was read.
 */
export interface Workload extends WorkloadRef {
  readonly apiVersion: string;
  readonly object: unknown;
  readonly metadata: ObjectMeta;
  readonly podMetadata: ObjectMeta;
  readonly podSpec: PodSpec;
  readonly podSpecPath: FieldPath;
  readonly podMetadataPath: FieldPath;
  readonly origin: WorkloadOrigin;
}

/**
 * A Kubernetes object read besides the workloads, of a kind some rule asked for: a subject of its own
 * (a RoleBinding, a SeccompProfile) or a fact for other rules (a ServiceAccount).
 */
export interface KubeObject extends WorkloadRef {
  readonly apiVersion: string;
  /** The object as it was read (validated by whichever rule or module reads it). */
  readonly object: Readonly<Record<string, unknown>>;
  readonly metadata: ObjectMeta;
  readonly origin: WorkloadOrigin;
}

export function workloadRef(workload: WorkloadRef): WorkloadRef {
  return { kind: workload.kind, namespace: workload.namespace, name: workload.name };
}

/** A map key for a workload or object reference (kind, namespace, name). */
export function workloadKey({ kind, namespace, name }: WorkloadRef): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

export function describeWorkload(workload: WorkloadRef): string {
  return `${workload.kind} ${workload.namespace ? `${workload.namespace}/` : ''}${workload.name}`;
}
