import {
  cisReference,
  defineRbacRule,
  RBAC_GOOD_PRACTICES,
  RBAC_REFERENCE,
  scopeMessageId,
  workloadMessages,
} from '../rbac-rule.ts';

export const rbacClusterAdminBinding = defineRbacRule({
  id: 'rbac-cluster-admin-binding',
  title: { en: 'cluster-admin bound to a non-system subject', 'zh-CN': 'cluster-admin 被绑定给非系统主体' },
  messages: {
    cluster: {
      en: '{{binding}} gives cluster-admin to {{subjects}}: every action on every object of the cluster.',
      'zh-CN': '{{binding}} 将 cluster-admin 授予 {{subjects}}：可对集群中所有对象执行任何操作。',
    },
    namespace: {
      en: '{{binding}} gives cluster-admin to {{subjects}} in namespace {{scope}}: every action on every object there, RBAC and Secrets included.',
      'zh-CN':
        '{{binding}} 在命名空间 {{scope}} 中将 cluster-admin 授予 {{subjects}}：可对其中所有对象（包括 RBAC 与 Secret）执行任何操作。',
    },
    ...workloadMessages({ en: 'do anything as cluster-admin', 'zh-CN': '以 cluster-admin 身份执行任何操作' }),
  },
  messageId: scopeMessageId,
  path: () => ['roleRef', 'name'],
  onWorkloads: true,
  docs: {
    severity: {
      en: 'High rather than critical: cluster-admin is often bound on purpose (break-glass accounts, platform tooling) and is then exempted with a reason; every such binding is still the whole cluster behind one credential.',
      'zh-CN':
        '为高而非严重：cluster-admin 常被有意绑定（应急账户、平台工具），这时应附理由豁免；但每个这样的绑定仍意味着一份凭据背后就是整个集群。',
    },
    why: {
      en: 'cluster-admin allows every verb on every resource: one leaked credential of a subject bound to it is the whole cluster. Kubernetes binds it only to the `system:masters` group.',
      'zh-CN':
        'cluster-admin 允许对所有资源执行所有操作：与之绑定的任一主体凭据泄露即意味着整个集群失守。Kubernetes 只把它绑定给 `system:masters` 组。',
    },
    fix: {
      en: 'Bind a role with only the permissions needed (the built-in `admin`, `edit` or `view` in a RoleBinding, or a role of your own); keep cluster-admin for break-glass accounts, and exempt those with a reason.',
      'zh-CN':
        '改为绑定只含所需权限的角色（在 RoleBinding 中使用内置的 `admin`、`edit` 或 `view`，或自定义角色）；cluster-admin 只留给应急账户，并为其配置带理由的豁免。',
    },
    snippet: [
      'roleRef:',
      '  apiGroup: rbac.authorization.k8s.io',
      '  kind: ClusterRole',
      '  name: edit',
    ].join('\n'),
    references: [
      RBAC_GOOD_PRACTICES,
      RBAC_REFERENCE,
      cisReference('5.1.1: Ensure that the cluster-admin role is only used where required'),
    ],
  },
});
