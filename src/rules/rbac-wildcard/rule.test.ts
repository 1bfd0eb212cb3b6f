import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { deployment } from '../../../test/support/rbac-rule-cases.ts';
import { rbacWildcard } from './rule.ts';

const API = 'rbac.authorization.k8s.io/v1';
const G = 'rbac.authorization.k8s.io';
const role = (rules: Record<string, string[]>[]) => ({
  apiVersion: API,
  kind: 'ClusterRole',
  metadata: { name: 'r' },
  rules,
});
const binding = (namespace?: string, name = 'b', roleName = 'r') => ({
  apiVersion: API,
  kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  subjects: [{ kind: 'User', apiGroup: G, name: 'alice' }],
  roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName },
});

testRbacRule(rbacWildcard, {
  valid: [
    {
      name: 'explicit lists',
      objects: [role([{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }]), binding()],
    },
    {
      name: 'pods/* is no wildcard',
      objects: [role([{ verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }]), binding()],
    },
    {
      name: 'a wildcard role nothing binds',
      objects: [role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])],
    },
    {
      name: 'the built-in binding of system:controller:generic-garbage-collector (exempt by default)',
      objects: [
        {
          apiVersion: API,
          kind: 'ClusterRole',
          metadata: { name: 'system:controller:generic-garbage-collector' },
          rules: [{ verbs: ['delete', 'get'], apiGroups: ['*'], resources: ['*'] }],
        },
        {
          apiVersion: API,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'system:controller:generic-garbage-collector' },
          subjects: [{ kind: 'ServiceAccount', name: 'generic-garbage-collector', namespace: 'kube-system' }],
          roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'system:controller:generic-garbage-collector' },
        },
      ],
    },
  ],
  invalid: [
    {
      name: 'a Deployment whose account is bound cluster-wide and in its namespace',
      objects: [
        role([{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] }]),
        { ...binding(), subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }] },
        deployment('ci'),
      ],
      findings: [
        { on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadCluster',
          path: 'spec.template.spec.serviceAccountName',
          data: { grants: 'verbs: *' },
        },
      ],
    },
    {
      name: 'a Deployment whose account is bound through a RoleBinding',
      objects: [
        role([{ verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }]),
        { ...binding('shop'), subjects: [{ kind: 'ServiceAccount', name: 'ci' }] },
        deployment('ci'),
      ],
      findings: [
        { on: 'RoleBinding shop/b', messageId: 'namespace', path: 'roleRef' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadNamespace',
          path: 'spec.template.spec.serviceAccountName',
          data: { namespaces: 'shop', grants: 'apiGroups: *' },
        },
      ],
    },
    {
      name: 'verbs, apiGroups and resources',
      objects: [role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), binding()],
      findings: [
        {
          on: 'ClusterRoleBinding b',
          messageId: 'cluster',
          path: 'roleRef',
          data: { grants: 'verbs: *, apiGroups: *, resources: *' },
        },
      ],
    },
    {
      name: '*/status through a RoleBinding',
      objects: [role([{ verbs: ['get'], apiGroups: [''], resources: ['*/status'] }]), binding('shop')],
      findings: [
        {
          on: 'RoleBinding shop/b',
          messageId: 'namespace',
          path: 'roleRef',
          data: { grants: 'resources: */status', namespaces: 'shop' },
        },
      ],
    },
  ],
});
