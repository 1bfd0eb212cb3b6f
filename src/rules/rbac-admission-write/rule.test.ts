import { testObjectRule } from '../../engine/rule-tester.ts';
import { rbacAdmissionWrite } from './rule.ts';

testObjectRule(rbacAdmissionWrite, {
  valid: [
    {
      name: 'a ClusterRoleBinding to a role without the power',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['get', 'list', 'watch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
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
    {
      name: 'a role with the power that nothing binds',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r', namespace: 'shop' },
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
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
      name: 'a Deployment of another account',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['get', 'list', 'watch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], serviceAccountName: 'other' },
            },
          },
        },
      ],
    },
    {
      name: 'a RoleBinding (cluster-scoped resources are out of its reach)',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'b', namespace: 'shop' },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
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
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
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
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
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
      name: 'a Deployment whose service account is bound cluster-wide',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], serviceAccountName: 'ci' },
            },
          },
        },
      ],
      findings: [
        { on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadCluster',
          path: 'spec.template.spec.serviceAccountName',
          data: {
            serviceAccount: 'shop/ci',
            chain: 'ClusterRoleBinding b → ClusterRole r',
            tokenMounted: 'yes',
          },
        },
      ],
    },
    {
      name: 'the default account through its namespace group, no token mounted: one step lower',
      objects: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'r' },
          rules: [
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          subjects: [
            { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:serviceaccounts:shop' },
          ],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: {
                containers: [{ name: 'app', image: 'nginx:1.27' }],
                automountServiceAccountToken: false,
              },
            },
          },
        },
      ],
      findings: [
        { on: 'ClusterRoleBinding b', messageId: 'cluster', path: 'roleRef' },
        {
          on: 'Deployment shop/web',
          messageId: 'workloadCluster',
          path: 'spec.template.spec.serviceAccountName',
          severity: 'medium',
          data: { serviceAccount: 'shop/default', tokenMounted: 'no' },
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
            {
              verbs: ['patch'],
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['mutatingwebhookconfigurations'],
              resourceNames: ['one'],
            },
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
