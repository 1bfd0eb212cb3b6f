import { securityContextSites } from '../../engine/traverse.ts';
import type { FieldPath } from '../../shared/field-path.ts';
import { defineRule, type ContainerNode, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE, SECURITY_CONTEXT_REFERENCE } from '../references.ts';

const SELINUX_REFERENCE: Reference = {
  title: 'Assign SELinux labels to a Container',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container',
};

/** Upstream allows an absent or empty type; `container_engine_t` joined the set at policy v1.31. */
const TYPES_V1_0 = ['container_t', 'container_init_t', 'container_kvm_t'] as const;
const TYPES_V1_31 = [...TYPES_V1_0, 'container_engine_t'] as const;

function allowedTypes(minor: number): readonly string[] {
  return minor >= 31 ? TYPES_V1_31 : TYPES_V1_0;
}

interface SeLinuxOptions {
  readonly type?: string | null | undefined;
  readonly user?: string | null | undefined;
  readonly role?: string | null | undefined;
}

export const selinuxOptions = defineRule({
  meta: {
    id: 'selinux-options',
    subject: 'pod-spec',
    title: { en: 'Custom SELinux options', 'zh-CN': '自定义 SELinux 选项' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'seLinuxOptions' },
    messages: {
      podType: {
        en: 'The pod sets SELinux type "{{type}}": only {{allowed}} (or no type) are allowed at this policy version.',
        'zh-CN': 'Pod 将 SELinux 类型设为 "{{type}}"：当前策略版本只允许 {{allowed}}（或不设置类型）。',
      },
      containerType: {
        en: 'Container "{{container}}" sets SELinux type "{{type}}": only {{allowed}} (or no type) are allowed at this policy version.',
        'zh-CN':
          '容器 "{{container}}" 将 SELinux 类型设为 "{{type}}"：当前策略版本只允许 {{allowed}}（或不设置类型）。',
      },
      podUser: {
        en: 'The pod sets a custom SELinux user "{{user}}"; seLinuxOptions.user must not be set.',
        'zh-CN': 'Pod 设置了自定义 SELinux 用户 "{{user}}"；不允许设置 seLinuxOptions.user。',
      },
      containerUser: {
        en: 'Container "{{container}}" sets a custom SELinux user "{{user}}"; seLinuxOptions.user must not be set.',
        'zh-CN':
          '容器 "{{container}}" 设置了自定义 SELinux 用户 "{{user}}"；不允许设置 seLinuxOptions.user。',
      },
      podRole: {
        en: 'The pod sets a custom SELinux role "{{role}}"; seLinuxOptions.role must not be set.',
        'zh-CN': 'Pod 设置了自定义 SELinux 角色 "{{role}}"；不允许设置 seLinuxOptions.role。',
      },
      containerRole: {
        en: 'Container "{{container}}" sets a custom SELinux role "{{role}}"; seLinuxOptions.role must not be set.',
        'zh-CN':
          '容器 "{{container}}" 设置了自定义 SELinux 角色 "{{role}}"；不允许设置 seLinuxOptions.role。',
      },
    },
    docs: {
      why: {
        en: 'The SELinux label decides what a container process may touch on the host; a custom type (such as spc_t or unconfined_t), user or role can lift the confinement that container_t provides.',
        'zh-CN':
          'SELinux 标签决定容器进程能访问宿主机上的哪些资源；自定义的类型（如 spc_t、unconfined_t）、用户或角色可能解除 container_t 提供的约束。',
      },
      fix: {
        en: 'Remove `seLinuxOptions.type`, `user` and `role`, or use one of the container types (`container_t`, `container_init_t`, `container_kvm_t`, and from v1.31 `container_engine_t`). `level` may stay.',
        'zh-CN':
          '删除 `seLinuxOptions.type`、`user` 和 `role`，或改用容器类型之一（`container_t`、`container_init_t`、`container_kvm_t`，以及 v1.31 起的 `container_engine_t`）。`level` 可以保留。',
      },
      snippet: [
        'securityContext:',
        '  seLinuxOptions:',
        '    type: container_t',
        '    level: "s0:c123,c456"',
      ].join('\n'),
      severity: {
        en: 'High: a custom SELinux type, user or role can take the container out of the confinement the runtime gives it.',
        'zh-CN': '高：自定义的 SELinux 类型、用户或角色可能使容器脱离运行时赋予它的约束。',
      },
      references: [PSS_REFERENCE.baseline, SELINUX_REFERENCE, SECURITY_CONTEXT_REFERENCE],
    },
  },
  check(context) {
    const allowed = allowedTypes(context.version.minor);
    const inspect = (options: SeLinuxOptions, base: FieldPath, node?: ContainerNode): void => {
      const where: Record<string, string> = node ? { container: node.name } : {};
      const type = options.type ?? '';
      if (type !== '' && !allowed.includes(type)) {
        context.report({
          messageId: node ? 'containerType' : 'podType',
          data: { ...where, type, allowed: allowed.join(', ') },
          path: [...base, 'type'],
          ...(node ? { container: node } : {}),
        });
      }
      const user = options.user ?? '';
      if (user !== '') {
        context.report({
          messageId: node ? 'containerUser' : 'podUser',
          data: { ...where, user },
          path: [...base, 'user'],
          ...(node ? { container: node } : {}),
        });
      }
      const role = options.role ?? '';
      if (role !== '') {
        context.report({
          messageId: node ? 'containerRole' : 'podRole',
          data: { ...where, role },
          path: [...base, 'role'],
          ...(node ? { container: node } : {}),
        });
      }
    };
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      const options = site.securityContext?.seLinuxOptions;
      if (options) inspect(options, [...site.path, 'seLinuxOptions'], site.container);
    }
  },
});
