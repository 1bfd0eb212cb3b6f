// A seeded generator of random RBAC objects and authorization questions for the RBAC differential test:
// small vocabularies (so that random rules and random questions meet often), every wildcard form the
// authorizer knows, aggregation labels, and bindings to users, groups and service accounts. Objects are
// valid for the API server (its validation refuses e.g. non-resource URLs in a Role).

/** The seeded PRNG of bench/generate.ts, so a failing seed can be replayed. */
export { seededRandom as prng } from '../../bench/generate.ts';

export class Random {
  readonly next: () => number;
  constructor(next: () => number) {
    this.next = next;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** 1..max distinct items (order as picked). */
  some<T>(items: readonly T[], max: number, min = 1): T[] {
    const count = min + this.int(max - min + 1);
    const out: T[] = [];
    for (let i = 0; i < count * 3 && out.length < count; i++) {
      const item = this.pick(items);
      if (!out.includes(item)) out.push(item);
    }
    return out;
  }
}

export const VERBS = [
  '*',
  'get',
  'create',
  'list',
  'update',
  'watch',
  'patch',
  'delete',
  'escalate',
  'bind',
  'impersonate',
  'approve',
];
export const GROUPS = [
  '',
  'apps',
  'batch',
  'rbac.authorization.k8s.io',
  'certificates.k8s.io',
  'x.example.com',
  '*',
];
const RESOURCES = [
  'pods',
  'secrets',
  'deployments',
  'nodes',
  'roles',
  'configmaps',
  'serviceaccounts',
  'signers',
  'certificatesigningrequests',
  'users',
];
const RULE_RESOURCES = [
  ...RESOURCES,
  '*',
  'pods/exec',
  'pods/log',
  'nodes/proxy',
  'serviceaccounts/token',
  '*/status',
  '*/exec',
  '*/*',
  'pods/*',
  'secrets/status',
  'certificatesigningrequests/approval',
];
export const SUBRESOURCES = ['exec', 'log', 'status', 'proxy', 'token', 'approval', '*'];
export const NAMES = ['a', 'b', 'c'];
const RULE_URLS = [
  '/healthz',
  '/healthz/*',
  '/api',
  '/api/*',
  '/apis*',
  '/version',
  '/metrics',
  '*',
  '/logs/**',
  '/x/y',
];
export const PATHS = [
  '/healthz',
  '/healthz/etcd',
  '/api',
  '/api/v1',
  '/apis',
  '/apisx',
  '/version',
  '/version/',
  '/metrics',
  '/logs/a',
  '/logs',
  '/x/y',
  '/x',
  '/',
];
const AGG_VALUES = ['x', 'y', 'z'];

type Json = Record<string, unknown>;

export interface RandomWorld {
  readonly namespaces: readonly string[];
  readonly users: readonly string[];
  readonly groups: readonly string[];
  /** [namespace, name] of service accounts the bindings name. */
  readonly serviceAccounts: readonly (readonly [string, string])[];
  readonly clusterRoles: Json[];
  readonly roles: Json[];
  readonly roleBindings: Json[];
  readonly clusterRoleBindings: Json[];
}

const RBAC = 'rbac.authorization.k8s.io';

function resourceRule(r: Random): Json {
  const rule: Json = {
    verbs: r.some(VERBS, 3),
    apiGroups: r.some(GROUPS, 2),
    resources: r.some(RULE_RESOURCES, 3),
  };
  if (r.chance(0.25)) rule['resourceNames'] = r.some(NAMES, 2);
  return rule;
}

function nonResourceRule(r: Random): Json {
  return { verbs: r.some(['get', 'post', '*', 'list'], 2), nonResourceURLs: r.some(RULE_URLS, 3) };
}

/** The world of one run; every cluster-scoped name and label key carries `tag`, so runs never collide. */
export function randomWorld(r: Random, tag: string, namespaces: readonly string[]): RandomWorld {
  const users = [1, 2, 3, 4].map((i) => `${tag}-user-${i}`);
  const groups = [1, 2, 3].map((i) => `${tag}-group-${i}`);
  const serviceAccounts = namespaces.flatMap((ns) =>
    ['sa-1', 'sa-2', 'default'].map((n) => [ns, n] as const),
  );
  const aggKeys = ['agg-a', 'agg-b'].map((k) => `${tag}.example.com/${k}`);
  const clusterRoles: Json[] = [];
  const clusterRoleNames: string[] = [];
  for (let i = 0; i < 36; i++) {
    const name = `${tag}-cr-${i}`;
    clusterRoleNames.push(name);
    const labels: Record<string, string> = {};
    for (const key of aggKeys) if (r.chance(0.4)) labels[key] = r.pick(AGG_VALUES);
    const rules = Array.from({ length: r.int(4) }, () =>
      r.chance(0.2) ? nonResourceRule(r) : resourceRule(r),
    );
    const role: Json = { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels }, rules };
    if (i % 6 === 5) {
      // Aggregated: each selector has at least one requirement on our own keys, so that it never selects
      // the built-in roles (a DoesNotExist alone would aggregate cluster-admin).
      const selectors = Array.from({ length: 1 + r.int(2) }, () => {
        const key = r.pick(aggKeys);
        const selector: Json = {};
        switch (r.int(3)) {
          case 0:
            selector['matchLabels'] = { [key]: r.pick(AGG_VALUES) };
            break;
          case 1:
            selector['matchExpressions'] = [{ key, operator: 'In', values: r.some(AGG_VALUES, 2) }];
            break;
          default:
            selector['matchExpressions'] = [{ key, operator: 'Exists' }];
        }
        if (r.chance(0.4)) {
          const other = r.pick(aggKeys);
          const extra = r.chance(0.5)
            ? { key: other, operator: 'NotIn', values: r.some(AGG_VALUES, 2) }
            : { key: other, operator: 'DoesNotExist' };
          selector['matchExpressions'] = [
            ...((selector['matchExpressions'] as Json[] | undefined) ?? []),
            extra,
          ];
        }
        return selector;
      });
      role['aggregationRule'] = { clusterRoleSelectors: selectors };
    }
    clusterRoles.push(role);
  }
  const roles: Json[] = [];
  const roleNames: string[] = [];
  for (const namespace of namespaces)
    for (let i = 0; i < 10; i++) {
      const name = `role-${i}`;
      if (!roleNames.includes(name)) roleNames.push(name);
      roles.push({
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: { name, namespace },
        rules: Array.from({ length: 1 + r.int(3) }, () => resourceRule(r)),
      });
    }
  const builtIn = ['view', 'edit', 'admin', 'system:discovery', 'system:basic-user', 'system:node-proxier'];
  const subject = (bindingNamespace: string | null): Json => {
    switch (r.int(4)) {
      case 0:
        return { kind: 'User', apiGroup: RBAC, name: r.chance(0.1) ? 'system:anonymous' : r.pick(users) };
      case 1:
        return {
          kind: 'Group',
          apiGroup: RBAC,
          name: r.chance(0.7)
            ? r.pick(groups)
            : r.pick([
                'system:authenticated',
                'system:unauthenticated',
                'system:serviceaccounts',
                `system:serviceaccounts:${r.pick(namespaces)}`,
              ]),
        };
      default: {
        const [namespace, name] = r.pick(serviceAccounts);
        // A RoleBinding may leave out the namespace of an account in its own namespace.
        return bindingNamespace === namespace && r.chance(0.5)
          ? { kind: 'ServiceAccount', name }
          : { kind: 'ServiceAccount', name, namespace };
      }
    }
  };
  const clusterRoleRef = () =>
    r.chance(0.15) ? r.pick(builtIn) : r.chance(0.05) ? `${tag}-missing` : r.pick(clusterRoleNames);
  const clusterRoleBindings = Array.from({ length: 30 }, (_, i) => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: `${tag}-crb-${i}` },
    subjects: Array.from({ length: 1 + r.int(3) }, () => subject(null)),
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRoleRef() },
  }));
  const roleBindings: Json[] = [];
  for (const namespace of namespaces)
    for (let i = 0; i < 16; i++) {
      const toRole = r.chance(0.5);
      roleBindings.push({
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: `rb-${i}`, namespace },
        subjects: Array.from({ length: 1 + r.int(3) }, () => subject(namespace)),
        roleRef: toRole
          ? { apiGroup: RBAC, kind: 'Role', name: r.chance(0.05) ? 'role-missing' : r.pick(roleNames) }
          : { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRoleRef() },
      });
    }
  return {
    namespaces,
    users,
    groups,
    serviceAccounts,
    clusterRoles,
    roles,
    roleBindings,
    clusterRoleBindings,
  };
}

export interface Question {
  readonly user: string;
  readonly groups: readonly string[];
  readonly resource?: {
    verb: string;
    group: string;
    resource: string;
    subresource: string;
    name: string;
    namespace: string;
  };
  readonly nonResource?: { verb: string; path: string };
}

export function randomQuestion(r: Random, world: RandomWorld): Question {
  let user: string;
  let groups: string[];
  const who = r.int(10);
  if (who < 4) {
    const [namespace, name] = r.pick(world.serviceAccounts);
    user = `system:serviceaccount:${namespace}:${name}`;
    groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
  } else if (who < 8) {
    user = r.pick(world.users);
    groups = [...(r.chance(0.5) ? r.some(world.groups, 2) : []), 'system:authenticated'];
  } else if (who < 9) {
    user = 'system:anonymous';
    groups = ['system:unauthenticated'];
  } else {
    user = `${world.users[0]}-nobody`;
    groups = r.some([...world.groups, 'system:authenticated', 'system:serviceaccounts'], 2);
  }
  if (r.chance(0.15))
    return { user, groups, nonResource: { verb: r.pick(['get', 'post', 'list', '*']), path: r.pick(PATHS) } };
  return {
    user,
    groups,
    resource: {
      verb: r.pick(VERBS),
      group: r.pick(GROUPS),
      resource: r.chance(0.05) ? '*' : r.pick(RESOURCES),
      subresource: r.chance(0.5) ? '' : r.pick(SUBRESOURCES),
      name: r.chance(0.5) ? '' : r.pick(NAMES),
      namespace: r.chance(0.8) ? r.pick(world.namespaces) : r.chance(0.5) ? '' : 'default',
    },
  };
}
