import type { KubeObject, Workload } from '../workloads/model.ts';

export type { KubeObject } from '../workloads/model.ts';

/**
 * What a rule inspects (ADR 0008). `pod-spec`: a workload's pod template, with the engine's container
 * traversal. The others are Kubernetes objects inspected one by one: RBAC roles and bindings, Security
 * Profiles Operator SeccompProfiles, nodes (their kubelet configuration), namespaces.
 */
export const SUBJECT_KINDS = ['pod-spec', 'rbac', 'seccomp-profile', 'node', 'namespace'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export type ObjectSubjectKind = Exclude<SubjectKind, 'pod-spec'>;

/** The object kinds each object subject kind is made of. */
export const SUBJECT_OBJECT_KINDS: Readonly<Record<ObjectSubjectKind, readonly string[]>> = {
  rbac: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'seccomp-profile': ['SeccompProfile'],
  node: ['Node'],
  namespace: ['Namespace'],
};

/** Which object subject kind an object of this kind is, if any. */
export function subjectKindOfObject(kind: string): ObjectSubjectKind | undefined {
  for (const [subject, kinds] of Object.entries(SUBJECT_OBJECT_KINDS) as [ObjectSubjectKind, string[]][])
    if (kinds.includes(kind)) return subject;
  return undefined;
}

/**
 * The fact kind of a kubelet's configuration (kubelet.config.k8s.io/v1beta1 KubeletConfiguration): from files,
 * or from a cluster (kubeadm's kube-system/kubelet-config ConfigMap), named after its node, or
 * `kubelet-config` for a cluster-wide one.
 */
export const KUBELET_CONFIGURATION = 'KubeletConfiguration';

/** Set on a KubeletConfiguration fact read from a cluster: where it was read. */
export const KUBELET_CONFIG_SOURCE_ANNOTATION = 'kube-patrol.io/kubelet-config-source';

/** A KubeObject inspected by the rules of its subject kind. */
export interface ObjectSubject<K extends ObjectSubjectKind = ObjectSubjectKind> extends KubeObject {
  readonly subject: K;
}

export type Subject = Workload | ObjectSubject;

/**
 * What a scan knows beyond the subject at hand: the objects of the kinds its rules asked for (rule meta
 * `facts`, and every kind of an object subject kind that runs), read before any rule runs. Rules stay pure:
 * facts are data handed in, and what is derived from them (an RBAC index) is computed once per scan.
 */
export interface Facts {
  /** The objects of one kind in the scan (files: every file; cluster: the scope), in reading order. */
  objects(kind: string): readonly KubeObject[];
  /**
   * Whether the scan could read that kind at all. False when it was not asked for, when listing it was
   * forbidden, or when the cluster does not serve it (a CRD not installed): a rule must not conclude
   * anything from the absence of an object of a kind it cannot know.
   */
  known(kind: string): boolean;
  /** A value computed once per scan from the facts, memoized under `key`. */
  derive<T>(key: string, build: (facts: Facts) => T): T;
}

/** Facts over the objects given; `known` lists the kinds that were read completely. */
export function createFacts(objects: readonly KubeObject[], known: Iterable<string>): Facts {
  const byKind = new Map<string, KubeObject[]>();
  for (const object of objects) {
    let list = byKind.get(object.kind);
    if (!list) byKind.set(object.kind, (list = []));
    list.push(object);
  }
  const knownKinds = new Set(known);
  const derived = new Map<string, unknown>();
  const facts: Facts = {
    objects: (kind) => byKind.get(kind) ?? [],
    known: (kind) => knownKinds.has(kind),
    derive<T>(key: string, build: (facts: Facts) => T): T {
      if (!derived.has(key)) derived.set(key, build(facts));
      return derived.get(key) as T;
    },
  };
  return facts;
}

/** A scan that read nothing but its workloads. */
export const NO_FACTS: Facts = createFacts([], []);
