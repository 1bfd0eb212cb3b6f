// The valid/invalid table every rbac-* power rule is tested with (src/rules/rbac-<power>/rule.test.ts):
// the same situations (bound or not, through a ClusterRoleBinding, a RoleBinding, aggregation,
// resourceNames, a workload's account with and without a token), each rule giving its own rules that
// have the power (`bad`) and a near miss that does not (`good`).
import type { InvalidScanCase, ScanCase } from './rbac-rule-kit.ts';
import type { PowerMessageId } from '../../src/rules/rbac-rule.ts';
import type { Severity } from '../../src/engine/severity.ts';

type Json = Record<string, unknown>;
const API = 'rbac.authorization.k8s.io/v1';
const GROUP = 'rbac.authorization.k8s.io';

export const clusterRole = (name: string, rules: readonly Json[], extra: Json = {}): Json => ({
  apiVersion: API,
  kind: 'ClusterRole',
  metadata: { name, ...((extra['labels'] as Json | undefined) ? { labels: extra['labels'] } : {}) },
  rules,
  ...(extra['aggregationRule'] ? { aggregationRule: extra['aggregationRule'] } : {}),
});
export const role = (namespace: string, name: string, rules: readonly Json[]): Json => ({
  apiVersion: API,
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
const user = { kind: 'User', apiGroup: GROUP, name: 'alice' };
const account = { kind: 'ServiceAccount', name: 'ci', namespace: 'shop' };
export const clusterRoleBinding = (
  name: string,
  roleName: string,
  subjects: readonly Json[] = [user],
): Json => ({
  apiVersion: API,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  subjects,
  roleRef: { apiGroup: GROUP, kind: 'ClusterRole', name: roleName },
});
export const roleBinding = (
  namespace: string,
  name: string,
  roleKind: 'Role' | 'ClusterRole',
  roleName: string,
  subjects: readonly Json[] = [account],
): Json => ({
  apiVersion: API,
  kind: 'RoleBinding',
  metadata: { name, namespace },
  subjects,
  roleRef: { apiGroup: GROUP, kind: roleKind, name: roleName },
});
export function deployment(serviceAccountName?: string, automountServiceAccountToken?: boolean): Json {
  const spec: Json = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
  if (serviceAccountName) spec['serviceAccountName'] = serviceAccountName;
  if (automountServiceAccountToken !== undefined)
    spec['automountServiceAccountToken'] = automountServiceAccountToken;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec },
    },
  };
}

const LOWER: Record<Severity, Severity> = {
  critical: 'high',
  high: 'medium',
  medium: 'low',
  low: 'info',
  info: 'info',
};
const ACCOUNT_PATH = 'spec.template.spec.serviceAccountName';

export interface PowerCases {
  /** Rules that have the power. */
  readonly bad: readonly Json[];
  /** Near misses without it. */
  readonly good: readonly Json[];
  readonly severity: Severity;
  /** Cluster-scoped resources: a RoleBinding grants nothing. */
  readonly clusterOnly?: boolean;
  /** Requests without a name (create): a rule with resourceNames grants nothing. */
  readonly nameless?: boolean;
  /** resourceNames do not narrow the finding's message (the power needs several rules). */
  readonly namesNotNarrowing?: boolean;
}

export function powerRuleCases(c: PowerCases): {
  valid: ScanCase[];
  invalid: InvalidScanCase<PowerMessageId>[];
} {
  const named = c.bad.map((rule) => ({ ...rule, resourceNames: ['one'] }));
  const valid: ScanCase[] = [
    {
      name: 'a ClusterRoleBinding to a role without the power',
      objects: [clusterRole('r', c.good), clusterRoleBinding('b', 'r')],
    },
    {
      name: 'a role with the power that nothing binds',
      objects: [clusterRole('r', c.bad), role('shop', 'r', c.bad)],
    },
    {
      name: 'a binding to a role that is not among the objects',
      objects: [clusterRoleBinding('b', 'missing')],
    },
    {
      name: 'a Deployment whose account is bound to a role without the power',
      objects: [clusterRole('r', c.good), clusterRoleBinding('b', 'r', [account]), deployment('ci')],
    },
  ];
  // A cluster-wide binding's finding, and its Deployment's one step lower (no token mounted).
  const withoutToken = (data: Record<string, string>) => [
    { on: 'ClusterRoleBinding b', messageId: 'cluster' as const, path: 'roleRef' },
    {
      on: 'Deployment shop/web',
      messageId: 'workloadCluster' as const,
      path: ACCOUNT_PATH,
      severity: LOWER[c.severity],
      data: { ...data, tokenMounted: 'no' },
    },
  ];
  const invalid: InvalidScanCase<PowerMessageId>[] = [
    {
      name: 'a ClusterRoleBinding to a ClusterRole with the power',
      objects: [clusterRole('r', c.bad), clusterRoleBinding('b', 'r')],
      findings: [
        {
          on: 'ClusterRoleBinding b',
          messageId: 'cluster',
          path: 'roleRef',
          data: { scope: 'cluster', role: 'ClusterRole r' },
        },
      ],
    },
    {
      name: 'the power aggregated into the bound ClusterRole',
      objects: [
        clusterRole('part', c.bad, { labels: { agg: 'yes' } }),
        clusterRole('agg', [], {
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'yes' } }] },
        }),
        clusterRoleBinding('b', 'agg'),
      ],
      findings: [{ on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' }],
    },
    {
      name: 'a Deployment whose service account is bound cluster-wide',
      objects: [clusterRole('r', c.bad), clusterRoleBinding('b', 'r', [account]), deployment('ci')],
      findings: [
        { on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadCluster',
          path: ACCOUNT_PATH,
          data: {
            serviceAccount: 'shop/ci',
            chain: 'ClusterRoleBinding b → ClusterRole r',
            tokenMounted: 'yes',
          },
        },
      ],
    },
    {
      name: 'an account that opts out of automounting (the pod does not say): one step lower',
      objects: [
        clusterRole('r', c.bad),
        clusterRoleBinding('b', 'r', [account]),
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'ci', namespace: 'shop' },
          automountServiceAccountToken: false,
        },
        deployment('ci'),
      ],
      findings: withoutToken({ serviceAccount: 'shop/ci' }),
    },
    {
      name: 'the default account through its namespace group, no token mounted: one step lower',
      objects: [
        clusterRole('r', c.bad),
        clusterRoleBinding('b', 'r', [
          { kind: 'Group', apiGroup: GROUP, name: 'system:serviceaccounts:shop' },
        ]),
        deployment(undefined, false),
      ],
      findings: withoutToken({ serviceAccount: 'shop/default' }),
    },
  ];
  const throughRoleBinding = [
    role('shop', 'r', c.bad),
    roleBinding('shop', 'b', 'Role', 'r'),
    deployment('ci'),
  ];
  if (c.clusterOnly)
    valid.push({
      name: 'a RoleBinding (cluster-scoped resources are out of its reach)',
      objects: throughRoleBinding,
    });
  else
    invalid.push({
      name: 'a RoleBinding to a Role with the power, and the Deployment of its account',
      objects: throughRoleBinding,
      findings: [
        {
          on: 'RoleBinding shop/b',
          messageId: 'namespace',
          path: 'roleRef',
          data: { scope: 'namespace', namespaces: 'shop' },
        },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadNamespace',
          path: ACCOUNT_PATH,
          data: { namespaces: 'shop' },
        },
      ],
    });
  const narrowed = [clusterRole('r', named), clusterRoleBinding('b', 'r', [account]), deployment('ci')];
  // The binding's and the Deployment's findings, both narrowed to the one name.
  const namedPair = (binding: string, scope: 'cluster' | 'namespace') =>
    (
      [
        [binding, scope === 'cluster' ? 'clusterNamed' : 'namespaceNamed', 'roleRef'],
        [
          'Deployment shop/web',
          scope === 'cluster' ? 'workloadClusterNamed' : 'workloadNamespaceNamed',
          ACCOUNT_PATH,
        ],
      ] as const
    ).map(([on, messageId, path]) => ({ on, messageId, path, data: { resourceNames: 'one' } }));
  if (c.nameless) valid.push({ name: 'resourceNames: a create request has no name', objects: narrowed });
  else if (!c.namesNotNarrowing) {
    invalid.push({
      name: 'narrowed by resourceNames, on the binding and the Deployment',
      objects: narrowed,
      findings: namedPair('ClusterRoleBinding b', 'cluster'),
    });
    if (!c.clusterOnly)
      invalid.push({
        name: 'narrowed by resourceNames through a RoleBinding',
        objects: [role('shop', 'r', named), roleBinding('shop', 'b', 'Role', 'r'), deployment('ci')],
        findings: namedPair('RoleBinding shop/b', 'namespace'),
      });
  }
  return { valid, invalid };
}
