import { definePowerRule } from '../rbac-rule.ts';

export const rbacSecretsRead = definePowerRule({
  id: 'rbac-secrets-read',
  title: { en: 'Binding grants reading Secrets', 'zh-CN': '绑定授予读取 Secret 的权限' },
  power: { en: 'read Secrets', 'zh-CN': '读取 Secret' },
  severity: {
    en: 'High: every Secret in reach is read at once, service account tokens with further powers among them; not critical, since reading alone changes nothing in the cluster. One step lower on a workload that mounts no token.',
    'zh-CN':
      '高：一次即可读取范围内的所有 Secret，其中包括拥有更多权限的 ServiceAccount 令牌；但仅读取并不改变集群，故不为严重。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: 'Whoever can get, list or watch Secrets reads every credential, token and key stored in them, including service account tokens that carry further permissions.',
    'zh-CN':
      '能够 get、list 或 watch Secret 的主体可以读取其中保存的全部凭据、令牌和密钥，包括拥有更多权限的 ServiceAccount 令牌。',
  },
  fix: {
    en: 'Grant Secrets access only to the workloads that need it, in their own namespace (a RoleBinding, not a ClusterRoleBinding), and name the Secrets with `resourceNames`. Prefer mounting a Secret into the pod over reading it through the API.',
    'zh-CN':
      '仅向确实需要的工作负载授予 Secret 权限，并限定在其自身命名空间（使用 RoleBinding 而非 ClusterRoleBinding），用 `resourceNames` 列出具体的 Secret。优先把 Secret 挂载进 Pod，而不是通过 API 读取。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [""]',
    '    resources: [secrets]',
    '    resourceNames: [app-db-password]',
    '    verbs: [get]',
  ],
  cis: '5.1.2: Minimize access to secrets',
  narrowedByNames: true,
});
