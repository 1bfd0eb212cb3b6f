// Builders of plain RBAC objects for the unit tests and the benchmark of src/rbac.
import type { RbacObject } from '../../src/rbac/model.ts';
import { parseRbacObject } from '../../src/rbac/schema.ts';

const API = 'rbac.authorization.k8s.io/v1';
type Json = Record<string, unknown>;

export function parsed(raw: Json): RbacObject {
  const result = parseRbacObject(raw);
  if (!result.ok) throw new Error(result.error);
  return result.object;
}

export const clusterRole = (
  name: string,
  rules: Json[],
  options: { labels?: Record<string, string>; aggregationRule?: Json } = {},
) =>
  parsed({
    apiVersion: API,
    kind: 'ClusterRole',
    metadata: { name, labels: options.labels ?? {} },
    rules,
    ...(options.aggregationRule ? { aggregationRule: options.aggregationRule } : {}),
  });

export const role = (namespace: string, name: string, rules: Json[]) =>
  parsed({ apiVersion: API, kind: 'Role', metadata: { name, namespace }, rules });

export const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
export const group = (name: string) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
export const sa = (name: string, namespace?: string) => ({
  kind: 'ServiceAccount',
  name,
  ...(namespace ? { namespace } : {}),
});

export const clusterRoleBinding = (
  name: string,
  roleName: string,
  subjects: Json[],
  roleKind = 'ClusterRole',
) =>
  parsed({
    apiVersion: API,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    subjects,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
  });

export const roleBinding = (
  namespace: string,
  name: string,
  roleKind: string,
  roleName: string,
  subjects: Json[],
) =>
  parsed({
    apiVersion: API,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    subjects,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
  });
