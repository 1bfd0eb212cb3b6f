import { testObjectRule } from '../../engine/rule-tester.ts';
import { rbacSecretsRead } from './rule.ts';

testObjectRule(rbacSecretsRead, {
  valid: [
    {
      name: 'a ClusterRoleBinding to a role without the power',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
      ],
    },
    {
      name: 'a role with the power that nothing binds',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r', namespace: 'shop' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
        },
      ],
    },
    {
      name: 'a binding to a role that is not among the objects',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'missing' },
        },
      ],
    },
  ],
  invalid: [
    {
      name: 'a ClusterRoleBinding to a ClusterRole with the power',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
      ],
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
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'part', labels: { agg: 'yes' } },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'agg' },
          rules: [],
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'yes' } }] },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'agg' },
        },
      ],
      findings: [{ on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' }],
    },
    {
      name: 'a RoleBinding to a Role with the power',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r', namespace: 'shop' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'b', namespace: 'shop' },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
        },
      ],
      findings: [
        {
          on: 'RoleBinding shop/b',
          messageId: 'namespace',
          path: 'roleRef',
          data: { scope: 'namespace', namespaces: 'shop' },
        },
      ],
    },
    {
      name: 'narrowed by resourceNames',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['one'] },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
      ],
      findings: [
        {
          on: 'ClusterRoleBinding b',
          messageId: 'clusterNamed',
          path: 'roleRef',
          data: { resourceNames: 'one' },
        },
      ],
    },
  ],
});
