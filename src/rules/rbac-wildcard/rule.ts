import {
  cisReference,
  defineRbacRule,
  RBAC_GOOD_PRACTICES,
  RBAC_REFERENCE,
  roleRefPath,
  scopeMessageId,
  workloadMessages,
} from '../rbac-rule.ts';

export const rbacWildcard = defineRbacRule({
  id: 'rbac-wildcard',
  title: { en: 'Bound role uses wildcards', 'zh-CN': '被绑定的角色使用了通配符' },
  messages: {
    cluster: {
      en: '{{binding}} binds {{role}} cluster-wide, whose rules use wildcards ({{grants}}): they also grant whatever resources and verbs are added later.',
      'zh-CN':
        '{{binding}} 在整个集群范围内绑定了 {{role}}，其规则使用了通配符（{{grants}}）：以后新增的资源和操作也会被一并授予。',
    },
    namespace: {
      en: '{{binding}} binds {{role}} in namespace {{namespaces}}, whose rules use wildcards ({{grants}}): they also grant whatever resources and verbs are added later.',
      'zh-CN':
        '{{binding}} 在命名空间 {{namespaces}} 中绑定了 {{role}}，其规则使用了通配符（{{grants}}）：以后新增的资源和操作也会被一并授予。',
    },
    ...workloadMessages({
      en: 'use roles with wildcards ({{grants}})',
      'zh-CN': '使用带通配符的角色（{{grants}}）',
    }),
  },
  messageId: scopeMessageId,
  path: roleRefPath,
  onWorkloads: true,
  docs: {
    severity: {
      en: 'High: a wildcard grants what nobody reviewed, today and for every resource added later. One step lower on a workload that mounts no token.',
      'zh-CN': '高：通配符授予了无人审查过的权限，包括今后新增的所有资源。未挂载令牌的工作负载降低一级。',
    },
    why: {
      en: '`*` in verbs, API groups or resources grants everything that exists now and everything added later (new resources, CRDs, subresources such as `pods/exec`), which nobody reviewed.',
      'zh-CN':
        '在 verbs、apiGroups 或 resources 中使用 `*` 会授予当前存在以及以后新增的一切（新资源、CRD、`pods/exec` 等子资源），而这些从未经过审查。',
    },
    fix: {
      en: 'List the verbs, API groups and resources the subject needs instead of `*` (and `*/<subresource>`).',
      'zh-CN': '用主体实际需要的 verbs、apiGroups 与 resources 列表代替 `*`（以及 `*/<subresource>`）。',
    },
    snippet: [
      'rules:',
      '  - apiGroups: [apps]',
      '    resources: [deployments]',
      '    verbs: [get, list, watch, update]',
    ].join('\n'),
    references: [
      RBAC_GOOD_PRACTICES,
      RBAC_REFERENCE,
      cisReference('5.1.3: Minimize wildcard use in Roles and ClusterRoles'),
    ],
  },
});
