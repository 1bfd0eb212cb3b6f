import { defineRule, type PssRef, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE, SECURITY_CONTEXT_REFERENCE } from '../references.ts';
import { inUserNamespace } from '../user-namespace.ts';

const USER_NAMESPACES_REFERENCE: Reference = {
  title: 'User Namespaces: integration with Pod Security Admission checks',
  url: 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/#integration-with-pod-security-admission-checks',
};

/**
 * From policy v1.35 upstream's baseline `procMount` check allows any value in a user-namespaced pod
 * (`hostUsers: false`), while the restricted `procMount_restricted` check, which overrides it,
 * still allows only `Default`. Before v1.35 the relaxation sat behind an alpha feature gate that is
 * off by default and has since been removed, so every value other than `Default` fails.
 */
const RESTRICTED_PROC_MOUNT: PssRef = { level: 'restricted', check: 'procMount_restricted' };

export const procMount = defineRule({
  meta: {
    id: 'proc-mount',
    subject: 'pod-spec',
    title: { en: 'Unmasked /proc mount', 'zh-CN': '未屏蔽的 /proc 挂载' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'procMount' },
    messages: {
      procMount: {
        en: 'Container "{{container}}" sets `procMount: {{procMount}}`: only Default is allowed, which masks sensitive paths of /proc.',
        'zh-CN':
          '容器 "{{container}}" 设置了 `procMount: {{procMount}}`：只允许 Default，即屏蔽 /proc 中的敏感路径。',
      },
      procMountUserNamespace: {
        en: 'Container "{{container}}" sets `procMount: {{procMount}}` in a user-namespaced pod (`hostUsers: false`): baseline allows it, restricted allows only Default.',
        'zh-CN':
          '容器 "{{container}}" 在使用用户命名空间的 Pod（`hostUsers: false`）中设置了 `procMount: {{procMount}}`：baseline 级别允许，restricted 级别只允许 Default。',
      },
    },
    docs: {
      why: {
        en: 'The default /proc mount masks and makes read-only paths such as /proc/kcore and /proc/sys that expose the host kernel; an Unmasked /proc hands them to the container.',
        'zh-CN':
          '默认的 /proc 挂载会屏蔽或只读挂载 /proc/kcore、/proc/sys 等暴露宿主机内核的路径；Unmasked 会把这些路径直接交给容器。',
      },
      fix: {
        en: 'Remove `procMount` or set it to `Default`. Unmasked /proc is meant for nested containers in user-namespaced pods (`hostUsers: false`), which the baseline level allows from v1.35; restricted never does.',
        'zh-CN':
          '删除 `procMount` 或将其设为 `Default`。Unmasked /proc 仅用于在使用用户命名空间（`hostUsers: false`）的 Pod 中运行嵌套容器，baseline 级别自 v1.35 起允许这种用法，restricted 级别始终不允许。',
      },
      snippet: ['containers:', '  - name: app', '    securityContext:', '      procMount: Default'].join(
        '\n',
      ),
      severity: {
        en: 'High: an unmasked /proc exposes kernel interfaces that the runtime hides from containers by default.',
        'zh-CN': '高：未屏蔽的 /proc 会暴露运行时默认对容器隐藏的内核接口。',
      },
      references: [PSS_REFERENCE.baseline, USER_NAMESPACES_REFERENCE, SECURITY_CONTEXT_REFERENCE],
    },
  },
  check(context) {
    const userNamespaced = inUserNamespace(context);
    for (const node of context.containers) {
      const value = node.container.securityContext?.procMount;
      if (value === null || value === undefined || value === 'Default') continue;
      context.report({
        messageId: userNamespaced ? 'procMountUserNamespace' : 'procMount',
        data: { container: node.name, procMount: value },
        path: [...node.path, 'securityContext', 'procMount'],
        container: node,
        ...(userNamespaced ? { pss: RESTRICTED_PROC_MOUNT } : {}),
      });
    }
  },
});
