/**
 * The RBAC objects kube-patrol reasons about, normalised from manifests or cluster lists: every list
 * field present (an absent or null list is empty, as the API server's Go types treat nil and empty
 * alike), names and namespaces resolved.
 */

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** Where an object came from: a manifest file (and line) or the cluster. */
export interface RbacSource {
  readonly file?: string;
  readonly line?: number;
}

interface RbacObjectBase {
  readonly kind: RbacKind;
  readonly name: string;
  /** The object's namespace; `null` for the cluster-scoped kinds. */
  readonly namespace: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly source?: RbacSource;
  /** A namespaced object written without `metadata.namespace` (it was placed in the default namespace). */
  readonly namespaceDefaulted?: boolean;
}

export interface RoleObject extends RbacObjectBase {
  readonly kind: 'Role' | 'ClusterRole';
  readonly rules: readonly PolicyRule[];
  /** ClusterRoles only: `null` when the role is not aggregated. */
  readonly aggregationRule: { readonly clusterRoleSelectors: readonly LabelSelector[] } | null;
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  /** As written; kinds other than User, Group and ServiceAccount never match anyone (as upstream). */
  readonly kind: string;
  readonly apiGroup: string;
  readonly name: string;
  /** As written (`''` when absent); for ServiceAccounts of a RoleBinding, absent means the binding's namespace. */
  readonly namespace: string;
}

export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

export interface BindingObject extends RbacObjectBase {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly subjects: readonly Subject[];
  readonly roleRef: RoleRef;
}

export type RbacObject = RoleObject | BindingObject;

/** Who asks: what the authenticator hands the authorizer. */
export interface UserInfo {
  readonly user: string;
  readonly groups: readonly string[];
}

/** A request on an API resource, as authorization attributes (kube-apiserver's RequestInfo). */
export interface ResourceAttributes {
  readonly verb: string;
  /** `''` for the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  /** `''` or absent: no name (list, create, deletecollection, ...). */
  readonly name?: string;
  /** `''` or absent: a cluster-scoped request (or all namespaces). */
  readonly namespace?: string;
}

export interface NonResourceAttributes {
  readonly verb: string;
  readonly path: string;
}

export type Attributes =
  | ({ readonly kind: 'resource' } & ResourceAttributes)
  | ({ readonly kind: 'nonResource' } & NonResourceAttributes);

export function objectRef(object: RbacObjectBase): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}
