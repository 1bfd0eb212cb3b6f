import { securityContextSites } from '../../engine/traverse.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import {
  NSA_HARDENING_REFERENCE,
  PSS_REFERENCE,
  SECURITY_CONTEXT_REFERENCE,
  cisReference,
} from '../references.ts';
import { inUserNamespace } from '../user-namespace.ts';

const CIS_REFERENCE = cisReference('v1.9, 5.2.7: Minimize the admission of root containers');
const USER_NAMESPACES_REFERENCE: Reference = {
  title: 'User Namespaces: integration with Pod Security Admission checks',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/#integration-with-pod-security-admission-checks',
};

export const runAsRootUser = defineRule({
  meta: {
    id: 'run-as-root-user',
    subject: 'pod-spec',
    title: { en: 'Runs as root (runAsUser: 0)', 'zh-CN': '以 root 用户运行（runAsUser: 0）' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'restricted', check: 'runAsUser' },
    messages: {
      podRoot: {
        en: 'The pod sets `securityContext.runAsUser: 0`: containers that do not set their own user run as root.',
        'zh-CN': 'Pod 设置了 `securityContext.runAsUser: 0`：未单独指定用户的容器都会以 root 运行。',
      },
      containerRoot: {
        en: 'Container "{{container}}" sets `runAsUser: 0` and runs as root.',
        'zh-CN': '容器 "{{container}}" 设置了 `runAsUser: 0`，将以 root 运行。',
      },
    },
    docs: {
      why: {
        en: "UID 0 in a container is root on the node's kernel unless the pod uses a user namespace; together with any other weakness (a writable host mount, an added capability, a kernel bug) it hands over the node.",
        'zh-CN':
          '除非 Pod 使用了用户命名空间，容器内的 UID 0 就是节点内核眼中的 root；只要再叠加任何一个弱点（可写的宿主机挂载、额外添加的能力、内核漏洞），节点就可能失守。',
      },
      fix: {
        en: 'Set `runAsUser` to a non-zero UID (e.g. 10001) or remove it and build the image with a numeric non-root USER; add `runAsNonRoot: true` so the kubelet enforces it. Give files the app writes to that UID (or use `fsGroup`) instead of running as root. From policy v1.35, pods with `hostUsers: false` (user namespaces) are exempt.',
        'zh-CN':
          '将 `runAsUser` 改为非 0 的 UID（例如 10001），或删除该字段并在镜像中使用非 root 的数字 USER；同时设置 `runAsNonRoot: true`，由 kubelet 强制校验。应用需要写入的文件应归属该 UID（或使用 `fsGroup`），而不是以 root 运行。自策略版本 v1.35 起，设置了 `hostUsers: false`（用户命名空间）的 Pod 不受此项检查约束。',
      },
      snippet: [
        'securityContext:',
        '  runAsNonRoot: true',
        '  runAsUser: 10001',
        'containers:',
        '  - name: app',
      ].join('\n'),
      severity: {
        en: 'High: the spec asks for uid 0 explicitly, so the workload is meant to run as root, which a non-root image default cannot prevent.',
        'zh-CN':
          '高：spec 显式要求 uid 0，说明该工作负载有意以 root 运行，镜像默认的非 root 用户也无法阻止。',
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
    // Upstream forbids an explicit 0 wherever it is written, even at pod level under containers that override it.
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      if (site.securityContext?.runAsUser === 0) {
        context.report({
          messageId: site.container ? 'containerRoot' : 'podRoot',
          data: site.data,
          path: [...site.path, 'runAsUser'],
          ...(site.container ? { container: site.container } : {}),
        });
      }
    }
  },
});
