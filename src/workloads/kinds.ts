import type { FieldPath } from '../shared/field-path.ts';

/** A kind that carries a pod template: everything about it that extraction, listing and rules need. */
export interface WorkloadKind {
  readonly kind: string;
  readonly apiVersion: string;
  /** Plural resource name (as RBAC rules and list URLs name it). */
  readonly resource: string;
  readonly podMetadataPath: FieldPath;
  readonly podSpecPath: FieldPath;
  /** Its pods run until stopped (a Deployment's), not to completion (a Job's) or once (a bare Pod). */
  readonly longRunning: boolean;
}

const template = (prefix: FieldPath): Pick<WorkloadKind, 'podMetadataPath' | 'podSpecPath'> => ({
  podMetadataPath: [...prefix, 'metadata'],
  podSpecPath: [...prefix, 'spec'],
});

/**
 * Every workload kind, the one table of them. Owners come before what they own (a Deployment before its
 * ReplicaSets, a CronJob before its Jobs, all before Pods), so a cluster listing can drop owned objects
 * before inspecting them.
 */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    resource: 'deployments',
    ...template(['spec', 'template']),
    longRunning: true,
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    resource: 'statefulsets',
    ...template(['spec', 'template']),
    longRunning: true,
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    resource: 'daemonsets',
    ...template(['spec', 'template']),
    longRunning: true,
  },
  {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    resource: 'replicasets',
    ...template(['spec', 'template']),
    longRunning: true,
  },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    resource: 'cronjobs',
    ...template(['spec', 'jobTemplate', 'spec', 'template']),
    longRunning: false,
  },
  {
    kind: 'Job',
    apiVersion: 'batch/v1',
    resource: 'jobs',
    ...template(['spec', 'template']),
    longRunning: false,
  },
  {
    kind: 'ReplicationController',
    apiVersion: 'v1',
    resource: 'replicationcontrollers',
    ...template(['spec', 'template']),
    longRunning: true,
  },
  {
    kind: 'Pod',
    apiVersion: 'v1',
    resource: 'pods',
    podMetadataPath: ['metadata'],
    podSpecPath: ['spec'],
    longRunning: false,
  },
  {
    kind: 'PodTemplate',
    apiVersion: 'v1',
    resource: 'podtemplates',
    ...template(['template']),
    longRunning: true,
  },
];

const BY_KIND = new Map(WORKLOAD_KINDS.map((k) => [k.kind, k]));

export function workloadKind(kind: string): WorkloadKind | undefined {
  return BY_KIND.get(kind);
}
