import { definePowerRule } from '../rbac-rule.ts';

export const rbacEscalate = definePowerRule({
  id: 'rbac-escalate',
  title: {
    en: 'Binding grants escalate, bind or impersonate',
    'zh-CN': '绑定授予 escalate、bind 或 impersonate 权限',
  },
  power: {
    en: 'escalate or bind roles, or impersonate users, groups or service accounts',
    'zh-CN': '对角色执行 escalate 或 bind，或者冒充用户、组或 ServiceAccount',
  },
  severity: {
    en: 'Critical: each of escalate, bind and impersonate leads to cluster-admin in one step. One step lower on a workload that mounts no token.',
    'zh-CN':
      '严重：escalate、bind、impersonate 中任何一项都能一步获得 cluster-admin。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: '`escalate` lets a subject write roles with permissions it does not have, `bind` lets it grant roles it does not hold, and `impersonate` lets it act as another user, group or service account: each is a path to cluster-admin.',
    'zh-CN':
      '`escalate` 允许主体编写超出自身权限的角色，`bind` 允许其授予自己并不拥有的角色，`impersonate` 允许其以其他用户、组或 ServiceAccount 的身份行事：每一项都是通向 cluster-admin 的途径。',
  },
  fix: {
    en: 'Remove `escalate`, `bind` and `impersonate` from roles that do not manage RBAC; where delegation is needed, name the roles or identities with `resourceNames`.',
    'zh-CN':
      '从不负责管理 RBAC 的角色中删除 `escalate`、`bind` 与 `impersonate`；确需委派时，用 `resourceNames` 列出具体的角色或身份。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [rbac.authorization.k8s.io]',
    '    resources: [clusterroles]',
    '    resourceNames: [view]',
    '    verbs: [bind]',
  ],
  cis: '5.1.8: Limit use of the Bind, Impersonate and Escalate permissions',
  narrowedByNames: true,
});
