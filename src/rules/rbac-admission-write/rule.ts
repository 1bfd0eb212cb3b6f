import { definePowerRule } from '../rbac-rule.ts';

export const rbacAdmissionWrite = definePowerRule({
  id: 'rbac-admission-write',
  title: {
    en: 'Binding grants writing admission webhooks or policies',
    'zh-CN': '绑定授予修改准入 Webhook 或准入策略的权限',
  },
  power: {
    en: 'write admission webhook configurations or admission policies',
    'zh-CN': '修改准入 Webhook 配置或准入策略',
  },
  severity: {
    en: "High: admission sees and can change every write to the API, so this can switch off the cluster's guards; not critical, since it needs a webhook or policy to be written first. One step lower on a workload that mounts no token.",
    'zh-CN':
      '高：准入能看到并修改每一次 API 写入，因此可关闭集群的防护；但需先写入 Webhook 或策略，故不为严重。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: "Admission webhooks and policies see and may change every object written to the API; whoever can write them can switch off the cluster's guards or read Secrets as they are created.",
    'zh-CN':
      '准入 Webhook 与准入策略能看到并修改写入 API 的每个对象；能修改它们的主体可以关闭集群的防护，或在 Secret 创建时读取其内容。',
  },
  fix: {
    en: 'Keep write access to `validatingwebhookconfigurations`, `mutatingwebhookconfigurations` and the admission policy kinds for cluster administrators and the controllers that own them.',
    'zh-CN':
      '仅向集群管理员以及拥有这些对象的控制器保留对 `validatingwebhookconfigurations`、`mutatingwebhookconfigurations` 与各准入策略类型的写权限。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [admissionregistration.k8s.io]',
    '    resources: [validatingwebhookconfigurations]',
    '    verbs: [get, list, watch]',
  ],
  cis: '5.1.12: Minimize access to webhook configuration objects',
  clusterOnly: true,
  narrowedByNames: true,
});
