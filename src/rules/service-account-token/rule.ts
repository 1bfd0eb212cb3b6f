import { defineRule, type Reference } from '../../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, cisReference } from '../references.ts';

const OPT_OUT_REFERENCE: Reference = {
  title: 'Configure Service Accounts for Pods: opt out of API credential automounting',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
};
const CIS_REFERENCE = cisReference(
  '5.1.6: Ensure that Service Account Tokens are only mounted where necessary',
);

function serviceAccountOf(podSpec: Record<string, unknown>): string {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = podSpec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}

export const serviceAccountToken = defineRule({
  meta: {
    id: 'service-account-token',
    subject: 'pod-spec',
    title: { en: 'Service account token mounted automatically', 'zh-CN': '自动挂载 ServiceAccount 令牌' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: {
      notDisabled: {
        en: 'The pod does not set `automountServiceAccountToken: false`: unless service account "{{serviceAccount}}" opts out, every container gets an API token.',
        'zh-CN':
          'Pod 未设置 `automountServiceAccountToken: false`：除非 ServiceAccount "{{serviceAccount}}" 本身已关闭自动挂载，否则每个容器都会获得访问 API Server 的令牌。',
      },
      enabled: {
        en: 'The pod sets `automountServiceAccountToken: true`: every container gets an API token of service account "{{serviceAccount}}".',
        'zh-CN':
          'Pod 显式设置了 `automountServiceAccountToken: true`：每个容器都会获得 ServiceAccount "{{serviceAccount}}" 访问 API Server 的令牌。',
      },
    },
    docs: {
      why: {
        en: "A mounted service account token lets anyone who compromises the pod call the Kubernetes API with the pod's RBAC permissions; most apps never call the API and need no token.",
        'zh-CN':
          '挂载的 ServiceAccount 令牌意味着攻破该 Pod 的攻击者可以用 Pod 的 RBAC 权限调用 Kubernetes API；而大多数应用根本不需要访问 API，也就不需要该令牌。',
      },
      fix: {
        en: "Set `automountServiceAccountToken: false` in the pod spec (it overrides the service account's setting). An app that does call the API can keep the token, or mount a short-lived, audience-bound one through a projected `serviceAccountToken` volume.",
        'zh-CN':
          '在 Pod spec 中设置 `automountServiceAccountToken: false`（该设置优先于 ServiceAccount 上的同名设置）。确需访问 API 的应用可以保留令牌，或通过 projected 卷中的 `serviceAccountToken` 挂载短期、限定受众的令牌。',
      },
      snippet: ['automountServiceAccountToken: false', 'containers:', '  - name: app'].join('\n'),
      severity: {
        en: "Low: a token matters only as far as the account's RBAC grants go, and most accounts grant nothing; the RBAC rules report accounts whose powers are dangerous.",
        'zh-CN': "低：令牌的危害取决于该账号的 RBAC 授权，而多数账号没有任何授权；权限危险的账号由 RBAC 类规则另行报告。",
      },
      references: [OPT_OUT_REFERENCE, CIS_REFERENCE, NSA_HARDENING_REFERENCE],
    },
  },
  check(context) {
    const value = context.podSpec.automountServiceAccountToken;
    if (value === false) return;
    context.report({
      messageId: value === true ? 'enabled' : 'notDisabled',
      data: { serviceAccount: serviceAccountOf(context.podSpec) },
      path: [...context.podSpecPath, 'automountServiceAccountToken'],
    });
  },
});
