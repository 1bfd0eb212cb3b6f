import { testObjectRule } from '../../engine/rule-tester.ts';
import { rbacWorkloadCreate } from './rule.ts';

testObjectRule(rbacWorkloadCreate, {
  valid: [
    {
      name: 'a ClusterRoleBinding to a role without the power',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] }],
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
          rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r', namespace: 'shop' },
          rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
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
    {
      name: 'resourceNames: a create request has no name',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            { verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['one'] },
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
          rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
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
          rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
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
          rules: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
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
  ],
});
