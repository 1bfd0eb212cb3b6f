import type { Attributes, BindingObject, UserInfo } from './model.ts';
import {
  bindingRole,
  bindingsFor,
  serviceAccountUser,
  type RbacIndex,
  type ResolvedRole,
  type ResolvedRule,
} from './rbac-index.ts';
import { ruleAllowsNonResource, ruleAllowsResource } from './rule-match.ts';

/** What allowed a request: the binding, its role and the rule (the evidence chain). */
export interface Grant {
  readonly binding: BindingObject;
  readonly role: ResolvedRole;
  readonly rule: ResolvedRule;
}

export interface Decision {
  readonly allowed: boolean;
  /** The first grant found, when allowed. */
  readonly grant?: Grant;
}

/**
 * The Kubernetes RBAC authorizer's decision (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac with the
 * rule resolver of pkg/registry/rbac/validation), over the indexed objects instead of informer caches:
 * allowed when a rule of a role bound to the user, or to one of its groups, allows the request.
 * ClusterRoleBindings count for every request; RoleBindings only for a request in their namespace, so a
 * cluster-scoped or non-resource request (no namespace) is decided by ClusterRoleBindings alone. RBAC
 * never denies: "not allowed" is the authorizer's "no opinion". Subject matching: User by name, Group by
 * membership, ServiceAccount by the user name `system:serviceaccount:<namespace>:<name>`. Groups are
 * taken as given: pass what the authenticator would add (`serviceAccountIdentity` does for accounts).
 */
export function authorize(index: RbacIndex, who: UserInfo, attributes: Attributes): Decision {
  const namespace = attributes.kind === 'resource' ? (attributes.namespace ?? '') : '';
  for (const binding of bindingsFor(index, who.user, who.groups)) {
    if (binding.kind === 'RoleBinding' && (namespace === '' || binding.namespace !== namespace)) continue;
    const role = bindingRole(index, binding);
    if (!role) continue;
    for (const rule of role.rules) {
      const allows =
        attributes.kind === 'resource'
          ? ruleAllowsResource(
              rule.rule,
              attributes.verb,
              attributes.apiGroup,
              attributes.resource,
              attributes.subresource ?? '',
              attributes.name ?? '',
            )
          : ruleAllowsNonResource(rule.rule, attributes.verb, attributes.path);
      if (allows) return { allowed: true, grant: { binding, role, rule } };
    }
  }
  return { allowed: false };
}

/**
 * The identity a service account's token authenticates as: its user name, and the groups the
 * service-account authenticator adds (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`),
 * plus `system:authenticated`, which the API server adds to every authenticated user.
 */
export function serviceAccountIdentity(namespace: string, name: string): UserInfo {
  return {
    user: serviceAccountUser(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}
