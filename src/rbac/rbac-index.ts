import { compileSelector } from './label-selector.ts';
import { objectRef, type BindingObject, type PolicyRule, type RbacObject, type RoleObject } from './model.ts';
import { ruleKey } from './rule-match.ts';

/** An effective rule of a role, with the ClusterRole it came from when aggregation put it there. */
export interface ResolvedRule {
  readonly rule: PolicyRule;
  /** Index of the rule in the role it is written in (`aggregatedFrom`, or the role itself). */
  readonly index: number;
  readonly aggregatedFrom?: string;
}

export interface IndexProblem {
  readonly source: string;
  readonly message: string;
}

/**
 * The RBAC objects of one scan, indexed for the authorizer's questions: roles by name, bindings by the
 * user name and group names their subjects match, and every aggregated ClusterRole's effective rules.
 */
export interface RbacIndex {
  readonly roles: ReadonlyMap<string, RoleObject>;
  readonly clusterRoles: ReadonlyMap<string, RoleObject>;
  readonly clusterRoleBindings: readonly BindingObject[];
  readonly roleBindings: readonly BindingObject[];
  /** Bindings with a User subject of that name or a ServiceAccount subject whose user name it is. */
  readonly bindingsByUser: ReadonlyMap<string, readonly BindingObject[]>;
  readonly bindingsByGroup: ReadonlyMap<string, readonly BindingObject[]>;
  /** Rules of every ClusterRole after aggregation. */
  readonly clusterRoleRules: ReadonlyMap<string, readonly ResolvedRule[]>;
  /** Rules of every Role, by `namespace/name`. */
  readonly roleRules: ReadonlyMap<string, readonly ResolvedRule[]>;
  readonly problems: readonly IndexProblem[];
}

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export function serviceAccountUser(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/**
 * The user name a subject matches, or null when it matches no user (a Group, an unknown kind, a
 * ServiceAccount of a ClusterRoleBinding without a namespace). A RoleBinding's ServiceAccount subject
 * without a namespace means one in the binding's namespace.
 */
export function subjectUser(
  subject: BindingObject['subjects'][number],
  bindingNamespace: string | null,
): string | null {
  if (subject.kind === 'User') return subject.name;
  if (subject.kind !== 'ServiceAccount') return null;
  const namespace = subject.namespace || bindingNamespace || '';
  return namespace ? serviceAccountUser(namespace, subject.name) : null;
}

export function isRole(object: RbacObject): object is RoleObject {
  return object.kind === 'Role' || object.kind === 'ClusterRole';
}

const roleKey = (namespace: string, name: string) => `${namespace}/${name}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list.at(-1) !== value) list.push(value);
}

/**
 * Aggregated ClusterRoles as the clusterrole-aggregation controller converges them: for each selector
 * in order, the ClusterRoles it selects (sorted by name, the role itself left out), each of their rules
 * added unless an equal rule is already there. Selected roles contribute their current rules, so an
 * aggregation of aggregated roles is repeated until nothing changes; roles are synced in name order,
 * starting from the rules written in them (on a live cluster, what the controller last wrote). A role
 * whose selector is invalid keeps its written rules, as the controller's failing sync leaves them.
 */
function aggregate(clusterRoles: ReadonlyMap<string, RoleObject>, problems: IndexProblem[]) {
  const rules = new Map<string, ResolvedRule[]>();
  for (const [name, role] of clusterRoles)
    rules.set(
      name,
      role.rules.map((rule, index) => ({ rule, index })),
    );
  const aggregated = [...clusterRoles.values()]
    .filter((role) => role.aggregationRule !== null)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (aggregated.length === 0) return rules;
  const byName = [...clusterRoles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const plans: { role: RoleObject; selected: RoleObject[] }[] = [];
  for (const role of aggregated) {
    const selected: RoleObject[] = [];
    let failed = false;
    for (const selector of role.aggregationRule!.clusterRoleSelectors) {
      const compiled = compileSelector(selector);
      if (!compiled.ok) {
        problems.push({
          source: objectRef(role),
          message: `aggregationRule: ${compiled.error}; its rules are left as written`,
        });
        failed = true;
        break;
      }
      for (const candidate of byName)
        if (candidate.name !== role.name && compiled.matches(candidate.labels)) selected.push(candidate);
    }
    if (!failed) plans.push({ role, selected });
  }
  // Each pass can only add what a longer chain of aggregations passes down; a bound on the passes keeps
  // a cycle of aggregations (which a live controller may never settle) from looping. A role is computed
  // again only when one of the roles it selects changed since (the same result, without the work).
  const version = new Map<string, number>();
  const computedAt = new Map<RoleObject, number>();
  let clock = 0;
  for (let pass = 0; pass <= plans.length; pass++) {
    let changed = false;
    for (const { role, selected } of plans) {
      const last = computedAt.get(role);
      if (last !== undefined && selected.every((s) => (version.get(s.name) ?? -1) < last)) continue;
      computedAt.set(role, ++clock);
      const next: ResolvedRule[] = [];
      const seen = new Set<string>();
      for (const source of selected)
        for (const resolved of rules.get(source.name)!) {
          const key = ruleKey(resolved.rule);
          if (seen.has(key)) continue;
          seen.add(key);
          next.push({
            rule: resolved.rule,
            index: resolved.index,
            aggregatedFrom: resolved.aggregatedFrom ?? source.name,
          });
        }
      const current = rules.get(role.name)!;
      if (
        current.length !== next.length ||
        current.some((r, i) => ruleKey(r.rule) !== ruleKey(next[i]!.rule))
      ) {
        rules.set(role.name, next);
        version.set(role.name, ++clock);
        changed = true;
      }
    }
    if (!changed) return rules;
  }
  problems.push({
    source: 'aggregated ClusterRoles',
    message:
      'aggregationRules select each other in a cycle that does not settle; their rules are the last pass computed',
  });
  return rules;
}

/** Indexes RBAC objects; a later object of the same kind, namespace and name replaces an earlier one (with a problem noted). */
export function buildRbacIndex(objects: Iterable<RbacObject>): RbacIndex {
  const problems: IndexProblem[] = [];
  const roles = new Map<string, RoleObject>();
  const clusterRoles = new Map<string, RoleObject>();
  const bindings = new Map<string, BindingObject>();
  for (const object of objects) {
    const key = `${object.kind}/${object.namespace ?? ''}/${object.name}`;
    let seen: boolean;
    if (isRole(object)) {
      const map = object.kind === 'Role' ? roles : clusterRoles;
      const name = object.kind === 'Role' ? roleKey(object.namespace!, object.name) : object.name;
      seen = map.has(name);
      map.set(name, object);
    } else {
      seen = bindings.has(key);
      bindings.set(key, object);
    }
    if (seen)
      problems.push({
        source: objectRef(object),
        message: 'defined more than once; the last definition is used',
      });
  }
  const clusterRoleBindings: BindingObject[] = [];
  const roleBindings: BindingObject[] = [];
  const bindingsByUser = new Map<string, BindingObject[]>();
  const bindingsByGroup = new Map<string, BindingObject[]>();
  for (const binding of bindings.values()) {
    (binding.kind === 'ClusterRoleBinding' ? clusterRoleBindings : roleBindings).push(binding);
    for (const subject of binding.subjects) {
      if (subject.kind === 'Group') push(bindingsByGroup, subject.name, binding);
      const user = subjectUser(subject, binding.namespace);
      if (user !== null) push(bindingsByUser, user, binding);
    }
  }
  return {
    roles,
    clusterRoles,
    clusterRoleBindings,
    roleBindings,
    bindingsByUser,
    bindingsByGroup,
    clusterRoleRules: aggregate(clusterRoles, problems),
    roleRules: new Map(
      [...roles].map(([key, role]) => [key, role.rules.map((rule, index) => ({ rule, index }))]),
    ),
    problems,
  };
}

export interface ResolvedRole {
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
  /** The Role's namespace; null for a ClusterRole. */
  readonly namespace: string | null;
  readonly rules: readonly ResolvedRule[];
}

/**
 * The role a binding refers to, with its effective rules, or null when it does not exist (then the
 * binding grants nothing, as upstream). A RoleBinding's Role is looked up in the binding's namespace; a
 * ClusterRoleBinding can only refer to a ClusterRole (a `Role` reference finds nothing).
 */
export function bindingRole(index: RbacIndex, binding: BindingObject): ResolvedRole | null {
  const { kind, name } = binding.roleRef;
  if (kind === 'ClusterRole') {
    const rules = index.clusterRoleRules.get(name);
    return rules ? { kind, name, namespace: null, rules } : null;
  }
  if (kind === 'Role' && binding.kind === 'RoleBinding') {
    const rules = index.roleRules.get(roleKey(binding.namespace!, name));
    return rules ? { kind, name, namespace: binding.namespace, rules } : null;
  }
  return null;
}

/** The bindings whose subjects include this user or one of its groups, each once. */
export function bindingsFor(index: RbacIndex, user: string, groups: readonly string[]): BindingObject[] {
  const found = new Set<BindingObject>(index.bindingsByUser.get(user) ?? []);
  for (const group of groups)
    for (const binding of index.bindingsByGroup.get(group) ?? []) found.add(binding);
  return [...found];
}
