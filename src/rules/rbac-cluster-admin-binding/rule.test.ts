import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { deployment } from '../../../test/support/rbac-rule-cases.ts';
import { rbacClusterAdminBinding } from './rule.ts';

const API = 'rbac.authorization.k8s.io/v1';
const G = 'rbac.authorization.k8s.io';
const clusterAdmin = {
  apiVersion: API,
  kind: 'ClusterRole',
  metadata: { name: 'cluster-admin' },
  rules: [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ],
};
const binding = (
  name: string,
  subjects: Record<string, string>[],
  role = 'cluster-admin',
  namespace?: string,
) => ({
  apiVersion: API,
  kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  subjects,
  roleRef: { apiGroup: G, kind: 'ClusterRole', name: role },
});
const masters = { kind: 'Group', apiGroup: G, name: 'system:masters' };

testRbacRule(rbacClusterAdminBinding, {
  valid: [
    {
      name: 'the built-in binding to system:masters',
      objects: [clusterAdmin, binding('cluster-admin', [masters])],
    },
    {
      name: 'a component user',
      objects: [
        clusterAdmin,
        binding('x', [{ kind: 'User', apiGroup: G, name: 'system:kube-controller-manager' }]),
      ],
    },
    { name: 'another role', objects: [binding('x', [{ kind: 'User', apiGroup: G, name: 'alice' }], 'edit')] },
  ],
  invalid: [
    {
      name: 'a Deployment whose account is cluster-admin, and one that is admin of its namespace',
      objects: [
        clusterAdmin,
        binding('ci-admin', [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }]),
        deployment('ci'),
      ],
      findings: [
        { on: 'ClusterRoleBinding ci-admin', messageId: 'cluster', path: 'roleRef.name' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadCluster',
          path: 'spec.template.spec.serviceAccountName',
          data: {
            serviceAccount: 'shop/ci',
            chain: 'ClusterRoleBinding ci-admin → ClusterRole cluster-admin',
          },
        },
      ],
    },
    {
      name: 'the default account, cluster-admin in its namespace through a RoleBinding',
      objects: [
        clusterAdmin,
        binding('ns-admin', [{ kind: 'ServiceAccount', name: 'default' }], 'cluster-admin', 'shop'),
        deployment(),
      ],
      findings: [
        { on: 'RoleBinding shop/ns-admin', messageId: 'namespace', path: 'roleRef.name' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadNamespace',
          path: 'spec.template.spec.serviceAccountName',
          data: { namespaces: 'shop' },
        },
      ],
    },
    {
      name: 'a user and a service account, the system group left out of the message',
      objects: [
        clusterAdmin,
        binding('ops', [
          masters,
          { kind: 'User', apiGroup: G, name: 'alice' },
          { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
        ]),
      ],
      findings: [
        {
          on: 'ClusterRoleBinding ops',
          messageId: 'cluster',
          path: 'roleRef.name',
          data: { subjects: 'User alice, ServiceAccount tools/ci' },
        },
      ],
    },
    {
      name: 'everyone authenticated (a broad group is no component)',
      objects: [binding('oops', [{ kind: 'Group', apiGroup: G, name: 'system:authenticated' }])],
      findings: [{ on: 'ClusterRoleBinding oops', messageId: 'cluster', path: 'roleRef.name' }],
    },
    {
      name: 'through a RoleBinding',
      objects: [
        clusterAdmin,
        binding('ns-admin', [{ kind: 'User', apiGroup: G, name: 'bob' }], 'cluster-admin', 'shop'),
      ],
      findings: [
        {
          on: 'RoleBinding shop/ns-admin',
          messageId: 'namespace',
          path: 'roleRef.name',
          data: { scope: 'shop' },
        },
      ],
    },
  ],
});
