import { defineRule, type Reference } from '../../engine/rule.ts';
import {
  NSA_HARDENING_REFERENCE,
  PSS_REFERENCE,
  SECURITY_CONTEXT_REFERENCE,
  cisReference,
} from '../references.ts';
import { inUserNamespace } from '../user-namespace.ts';
import { fix, setContainerField, setPodField } from '../fixes.ts';

const CIS_REFERENCE = cisReference('v1.9, 5.2.7: Minimize the admission of root containers');
const USER_NAMESPACES_REFERENCE: Reference = {
  title: 'User Namespaces: integration with Pod Security Admission checks',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/#integration-with-pod-security-admission-checks',
};

export const runAsNonRoot = defineRule({
  meta: {
    id: 'run-as-non-root',
    subject: 'pod-spec',
    title: { en: 'Containers not required to run as non-root', 'zh-CN': '未强制容器以非 root 用户运行' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'restricted', check: 'runAsNonRoot' },
    fix: {
      safety: 'review',
      description: {
        en: 'Sets `runAsNonRoot: true` on the pod (or on the container that sets it to false) (review: an image whose user is root no longer starts; give it a non-zero `runAsUser` or a non-root image).',
        'zh-CN':
          '在 Pod 上（或在将其设置为 false 的容器上）设置 `runAsNonRoot: true`（review：镜像用户为 root 时容器将无法启动；请设置非 0 的 `runAsUser` 或换用非 root 镜像）。',
      },
    },
    messages: {
      podFalse: {
        en: 'The pod sets `securityContext.runAsNonRoot: false`.',
        'zh-CN': 'Pod 设置了 `securityContext.runAsNonRoot: false`。',
      },
      containerFalse: {
        en: 'Container "{{container}}" sets `runAsNonRoot: false`.',
        'zh-CN': '容器 "{{container}}" 设置了 `runAsNonRoot: false`。',
      },
      missing: {
        en: 'Container "{{container}}" may run as root: neither it nor the pod sets `runAsNonRoot: true`.',
        'zh-CN': '容器 "{{container}}" 可能以 root 运行：容器和 Pod 都没有设置 `runAsNonRoot: true`。',
      },
      runAsUserOnly: {
        en: 'Container "{{container}}" runs as user {{runAsUser}} but neither it nor the pod sets `runAsNonRoot: true`; Pod Security requires the flag, a non-zero `runAsUser` alone is not enough.',
        'zh-CN':
          '容器 "{{container}}" 以用户 {{runAsUser}} 运行，但容器和 Pod 都没有设置 `runAsNonRoot: true`；Pod 安全标准要求显式设置该标志，仅设置非 0 的 `runAsUser` 并不够。',
      },
    },
    docs: {
      why: {
        en: "Root in a container is root on the node's kernel (unless the pod uses a user namespace): one escape bug or a writable host mount away from owning the node. `runAsNonRoot: true` makes the kubelet refuse to start a container whose user is root.",
        'zh-CN':
          '容器内的 root 就是节点内核眼中的 root（除非 Pod 使用了用户命名空间）：只差一个逃逸漏洞或一个可写的宿主机挂载就能控制整个节点。设置 `runAsNonRoot: true` 后，kubelet 会拒绝启动以 root 用户运行的容器。',
      },
      fix: {
        en: 'Set `runAsNonRoot: true` in the pod securityContext (containers inherit it; none may set it to false), together with a non-zero `runAsUser` or an image whose USER is numeric and non-zero. From policy v1.35, pods with `hostUsers: false` (user namespaces) are exempt.',
        'zh-CN':
          '在 Pod 的 securityContext 中设置 `runAsNonRoot: true`（容器会继承该设置，且任何容器都不能设为 false），同时设置非 0 的 `runAsUser`，或使用 USER 为非 0 数字 UID 的镜像。自策略版本 v1.35 起，设置了 `hostUsers: false`（用户命名空间）的 Pod 不受此项检查约束。',
      },
      snippet: [
        'securityContext:',
        '  runAsNonRoot: true',
        '  runAsUser: 10001',
        'containers:',
        '  - name: app',
      ].join('\n'),
      severity: {
        en: 'Medium: root inside the container is one kernel or runtime bug away from root on the node; the restricted level requires non-root.',
        'zh-CN':
          '中：容器内的 root 离节点上的 root 只差一个内核或运行时漏洞；restricted 级别要求以非 root 运行。',
      },
      references: [
        PSS_REFERENCE.restricted,
        SECURITY_CONTEXT_REFERENCE,
        USER_NAMESPACES_REFERENCE,
        CIS_REFERENCE,
        NSA_HARDENING_REFERENCE,
      ],
    },
  },
  check(context) {
    // From policy v1.35 upstream skips the check for pods in a user namespace.
    if (inUserNamespace(context)) return;
    const podSecurityContext = context.podSpec.securityContext;
    const podValue = podSecurityContext?.runAsNonRoot;
    const podFix = fix('review', setPodField('runAsNonRoot', true));
    if (podValue === false) {
      context.report({
        messageId: 'podFalse',
        path: [...context.podSpecPath, 'securityContext', 'runAsNonRoot'],
        fix: podFix,
      });
    }
    for (const node of context.containers) {
      const securityContext = node.container.securityContext;
      const value = securityContext?.runAsNonRoot;
      const path = [...node.path, 'securityContext', 'runAsNonRoot'];
      if (value === false) {
        context.report({
          messageId: 'containerFalse',
          data: { container: node.name },
          path,
          container: node,
          fix: fix('review', setContainerField(node, 'runAsNonRoot', true)),
        });
      } else if ((value === null || value === undefined) && podValue !== true && podValue !== false) {
        // With a pod-level false the pod finding already covers containers that inherit it.
        const runAsUser = securityContext?.runAsUser ?? podSecurityContext?.runAsUser;
        if (runAsUser !== null && runAsUser !== undefined && runAsUser !== 0) {
          context.report({
            messageId: 'runAsUserOnly',
            data: { container: node.name, runAsUser },
            path,
            container: node,
            fix: podFix,
          });
        } else {
          context.report({
            messageId: 'missing',
            data: { container: node.name },
            path,
            container: node,
            fix: podFix,
          });
        }
      }
    }
  },
});
