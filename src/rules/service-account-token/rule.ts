import { defineRule, type Reference } from '../../engine/rule.ts';
import { accountKey, serviceAccountSettings } from './accounts.ts';
import { NSA_HARDENING_REFERENCE, cisReference } from '../references.ts';
import { serviceAccountOf } from '../../workloads/service-account.ts';
import { fix } from '../fixes.ts';

const OPT_OUT_REFERENCE: Reference = {
  title: 'Configure Service Accounts for Pods: opt out of API credential automounting',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
};
const CIS_REFERENCE = cisReference(
  '5.1.6: Ensure that Service Account Tokens are only mounted where necessary',
);

export const serviceAccountToken = defineRule({
  meta: {
    id: 'service-account-token',
    facts: ['ServiceAccount'],
    subject: 'pod-spec',
    title: { en: 'Service account token mounted automatically', 'zh-CN': '自动挂载 ServiceAccount 令牌' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    fix: {
      safety: 'review',
      description: {
        en: 'Sets `automountServiceAccountToken: false` on the pod (review: an app that calls the Kubernetes API loses its credentials).',
        'zh-CN':
          '在 Pod 上设置 `automountServiceAccountToken: false`（review：需要调用 Kubernetes API 的应用将失去凭据）。',
      },
    },
    messages: {
      notDisabled: {
        en: 'The pod does not set `automountServiceAccountToken: false`: unless service account "{{serviceAccount}}" opts out, every container gets an API token.',
        'zh-CN':
          'Pod 未设置 `automountServiceAccountToken: false`：除非 ServiceAccount "{{serviceAccount}}" 本身已关闭自动挂载，否则每个容器都会获得访问 API Server 的令牌。',
      },
      accountAllows: {
        en: 'The pod does not set `automountServiceAccountToken: false`, and neither does its service account "{{serviceAccount}}" (read in this scan): every container gets an API token.',
        'zh-CN':
          'Pod 未设置 `automountServiceAccountToken: false`，其 ServiceAccount "{{serviceAccount}}"（本次扫描已读取）也未设置：每个容器都会获得访问 API Server 的令牌。',
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
        en: "Set `automountServiceAccountToken: false` in the pod spec (it overrides the service account's setting), or on the ServiceAccount for every pod that uses it. A pod that leaves the field unset gets no finding when its ServiceAccount sets `false` and kube-patrol read that ServiceAccount: in a manifest scan, from the same set of files (same namespace and name; a ServiceAccount without a namespace matches workloads without one); in a cluster scan, from the cluster (the operator's ClusterRole grants get/list/watch on serviceaccounts). An app that does call the API can keep the token, or mount a short-lived, audience-bound one through a projected `serviceAccountToken` volume.",
        'zh-CN':
          '在 Pod spec 中设置 `automountServiceAccountToken: false`（该设置优先于 ServiceAccount 上的同名设置），或在 ServiceAccount 上设置，使所有使用它的 Pod 生效。Pod 未设置该字段、而其 ServiceAccount 设置为 `false` 且 kube-patrol 读取到了该 ServiceAccount 时，不报告问题：扫描清单时来自同一批文件（命名空间和名称相同；未写命名空间的 ServiceAccount 匹配未写命名空间的工作负载）；扫描集群时来自集群（operator 的 ClusterRole 授予了 serviceaccounts 的 get/list/watch 权限）。确需访问 API 的应用可以保留令牌，或通过 projected 卷中的 `serviceAccountToken` 挂载短期、限定受众的令牌。',
      },
      snippet: ['automountServiceAccountToken: false', 'containers:', '  - name: app'].join('\n'),
      severity: {
        en: "Low: a token matters only as far as the account's RBAC grants go, and most accounts grant nothing; the RBAC rules report accounts whose powers are dangerous.",
        'zh-CN':
          '低：令牌的危害取决于该账号的 RBAC 授权，而多数账号没有任何授权；权限危险的账号由 RBAC 类规则另行报告。',
      },
      references: [OPT_OUT_REFERENCE, CIS_REFERENCE, NSA_HARDENING_REFERENCE],
    },
  },
  check(context) {
    const value = context.podSpec.automountServiceAccountToken;
    if (value === false) return;
    const serviceAccount = serviceAccountOf(context.podSpec);
    const path = [...context.podSpecPath, 'automountServiceAccountToken'];
    const disable = fix('review', {
      op: 'set',
      path: ['spec', 'automountServiceAccountToken'],
      value: false,
    });
    if (value === true) {
      context.report({ messageId: 'enabled', data: { serviceAccount }, path, fix: disable });
      return;
    }
    // Unset in the pod: the kubelet follows the ServiceAccount's own setting, when we could read it.
    const key = accountKey(context.workload.namespace, serviceAccount);
    const accounts = serviceAccountSettings(context.facts);
    if (accounts.get(key) === false) return;
    const read = context.facts.known('ServiceAccount') && accounts.has(key);
    context.report({
      messageId: read ? 'accountAllows' : 'notDisabled',
      data: { serviceAccount },
      path,
      fix: disable,
    });
  },
});
