import { definePowerRule } from '../rbac-rule.ts';

export const rbacTokenCreate = definePowerRule({
  id: 'rbac-token-create',
  title: {
    en: 'Binding grants creating service account tokens',
    'zh-CN': '绑定授予创建 ServiceAccount 令牌的权限',
  },
  power: { en: 'create service account tokens', 'zh-CN': '创建 ServiceAccount 令牌' },
  severity: {
    en: 'High: tokens for other accounts carry their powers; the power is as large as the accounts it can mint for. One step lower on a workload that mounts no token.',
    'zh-CN':
      '高：为其他账户签发的令牌带有这些账户的权限；其危害取决于能为哪些账户签发令牌。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: '`create` on `serviceaccounts/token` mints tokens for service accounts, so the subject gets every permission of the accounts it can mint for.',
    'zh-CN':
      '对 `serviceaccounts/token` 的 `create` 权限可以为 ServiceAccount 签发令牌，主体因此获得它能签发令牌的所有账户的全部权限。',
  },
  fix: {
    en: 'Remove `serviceaccounts/token` from roles that do not issue tokens; where needed, name the accounts with `resourceNames`.',
    'zh-CN':
      '从不负责签发令牌的角色中删除 `serviceaccounts/token`；确有需要时用 `resourceNames` 列出具体账户。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [""]',
    '    resources: [serviceaccounts/token]',
    '    resourceNames: [ci-deployer]',
    '    verbs: [create]',
  ],
  cis: '5.1.13: Minimize access to the service account token creation',
  narrowedByNames: true,
});
