import { isAnonymousSubject } from '../../rbac/powers.ts';
import { defineRbacRule, RBAC_GOOD_PRACTICES, RBAC_REFERENCE } from '../rbac-rule.ts';

export const rbacAnonymousBinding = defineRbacRule({
  id: 'rbac-anonymous-binding',
  title: {
    en: 'Binding to anonymous or unauthenticated users',
    'zh-CN': '绑定授予匿名或未认证用户',
  },
  messages: {
    anonymousBinding: {
      en: '{{binding}} grants {{role}} to {{subjects}}: to anyone who can reach the API server, without credentials.',
      'zh-CN':
        '{{binding}} 将 {{role}} 授予 {{subjects}}：任何能访问 API Server 的人无需凭据即可获得这些权限。',
    },
    anonymousBindingMissingRole: {
      en: '{{binding}} grants {{role}} to {{subjects}}; that role is not among the scanned objects, and anyone who can reach the API server gets whatever it grants.',
      'zh-CN':
        '{{binding}} 将 {{role}} 授予 {{subjects}}；该角色不在扫描到的对象中，任何能访问 API Server 的人都将获得它所授予的权限。',
    },
  },
  messageId: (finding) =>
    finding.messageId === 'anonymousBindingMissingRole' ? 'anonymousBindingMissingRole' : 'anonymousBinding',
  onWorkloads: false,
  path: (_, binding) => ['subjects', Math.max(0, binding.subjects.findIndex(isAnonymousSubject))],
  docs: {
    severity: {
      en: 'Critical: anyone who can reach the API server gets the role, without credentials.',
      'zh-CN': '严重：任何能访问 API Server 的人无需凭据即可获得该角色。',
    },
    why: {
      en: 'The User `system:anonymous` and the Group `system:unauthenticated` are every request without credentials: a binding to them opens its role to anyone who can reach the API server. Only the built-in health and version endpoints are meant to be public (exempt by default).',
      'zh-CN':
        'User `system:anonymous` 与 Group `system:unauthenticated` 代表所有未携带凭据的请求：绑定给它们即把角色开放给任何能访问 API Server 的人。只有内置的健康检查与版本端点本应公开（默认豁免）。',
    },
    fix: {
      en: 'Remove `system:anonymous` and `system:unauthenticated` from the subjects; bind the role to the users, groups or service accounts that need it (`system:authenticated` at the widest).',
      'zh-CN':
        '从 subjects 中删除 `system:anonymous` 与 `system:unauthenticated`；把角色绑定给确需它的用户、组或 ServiceAccount（范围最大也只到 `system:authenticated`）。',
    },
    snippet: [
      'subjects:',
      '  - kind: Group',
      '    apiGroup: rbac.authorization.k8s.io',
      '    name: ops-team',
    ].join('\n'),
    references: [
      RBAC_GOOD_PRACTICES,
      RBAC_REFERENCE,
      {
        title: 'Kubernetes: Anonymous requests',
        url: 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
      },
    ],
  },
});
