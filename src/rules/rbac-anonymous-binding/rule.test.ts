import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { rbacAnonymousBinding } from './rule.ts';

const API = 'rbac.authorization.k8s.io/v1';
const G = 'rbac.authorization.k8s.io';
const publicInfo = {
  apiVersion: API,
  kind: 'ClusterRole',
  metadata: { name: 'system:public-info-viewer' },
  rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }],
};
const publicInfoBinding = (extra: Record<string, string>[] = []) => ({
  apiVersion: API,
  kind: 'ClusterRoleBinding',
  metadata: { name: 'system:public-info-viewer' },
  subjects: [
    { kind: 'Group', apiGroup: G, name: 'system:authenticated' },
    { kind: 'Group', apiGroup: G, name: 'system:unauthenticated' },
    ...extra,
  ],
  roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'system:public-info-viewer' },
});
const view = { apiVersion: API, kind: 'ClusterRole', metadata: { name: 'view' }, rules: [] };
const binding = (kind: string, subjects: Record<string, string>[], namespace?: string) => ({
  apiVersion: API,
  kind,
  metadata: { name: 'b', ...(namespace ? { namespace } : {}) },
  subjects,
  roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' },
});

testRbacRule(rbacAnonymousBinding, {
  valid: [
    {
      name: 'authenticated users only',
      objects: [
        view,
        binding('ClusterRoleBinding', [{ kind: 'Group', apiGroup: G, name: 'system:authenticated' }]),
      ],
    },
    {
      name: 'a Group named system:anonymous is nobody',
      objects: [
        view,
        binding('ClusterRoleBinding', [{ kind: 'Group', apiGroup: G, name: 'system:anonymous' }]),
      ],
    },
    {
      name: 'the built-in public-info binding, as shipped (exempt by default)',
      objects: [publicInfo, publicInfoBinding()],
    },
  ],
  invalid: [
    {
      name: 'User system:anonymous in a ClusterRoleBinding',
      objects: [
        view,
        binding('ClusterRoleBinding', [
          { kind: 'User', apiGroup: G, name: 'bob' },
          { kind: 'User', apiGroup: G, name: 'system:anonymous' },
        ]),
      ],
      findings: [
        {
          on: 'ClusterRoleBinding b',
          messageId: 'anonymousBinding',
          path: 'subjects[1]',
          data: { subjects: 'system:anonymous', role: 'ClusterRole view' },
        },
      ],
    },
    {
      name: 'Group system:unauthenticated in a RoleBinding, role not among the objects',
      objects: [
        binding('RoleBinding', [{ kind: 'Group', apiGroup: G, name: 'system:unauthenticated' }], 'shop'),
      ],
      findings: [{ on: 'RoleBinding shop/b', messageId: 'anonymousBindingMissingRole', path: 'subjects[0]' }],
    },
    {
      name: 'the built-in public-info binding with its role widened: no longer exempt',
      objects: [{ ...publicInfo, rules: [{ verbs: ['get'], nonResourceURLs: ['*'] }] }, publicInfoBinding()],
      findings: [
        {
          on: 'ClusterRoleBinding system:public-info-viewer',
          messageId: 'anonymousBinding',
          path: 'subjects[1]',
        },
      ],
    },
    {
      name: 'the built-in public-info binding with a subject added: no longer exempt',
      objects: [publicInfo, publicInfoBinding([{ kind: 'User', apiGroup: G, name: 'system:anonymous' }])],
      findings: [
        {
          on: 'ClusterRoleBinding system:public-info-viewer',
          messageId: 'anonymousBinding',
          path: 'subjects[1]',
          data: { subjects: 'system:unauthenticated, system:anonymous' },
        },
      ],
    },
  ],
});
