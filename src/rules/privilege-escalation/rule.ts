import { atLeastMinor } from '../../engine/pss-version.ts';
import { defineRule } from '../../engine/rule.ts';
import { canonicalCapability } from '../capabilities-added/rule.ts';
import { fix, linuxPod, setContainerField } from '../fixes.ts';
import {
  NSA_HARDENING_REFERENCE,
  PSS_REFERENCE,
  SECURITY_CONTEXT_REFERENCE,
  cisReference,
} from '../references.ts';

const CIS_REFERENCE = cisReference(
  'v1.9, 5.2.6: Minimize the admission of containers with allowPrivilegeEscalation',
);

export const privilegeEscalation = defineRule({
  meta: {
    id: 'privilege-escalation',
    subject: 'pod-spec',
    title: { en: 'Privilege escalation allowed', 'zh-CN': '允许提权' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'restricted', check: 'allowPrivilegeEscalation' },
    fix: {
      safety: 'safe',
      description: {
        en: 'Sets `allowPrivilegeEscalation: false` on the container when it leaves the field unset (safe) or sets it to true (review: someone chose it). None for a privileged container or one adding SYS_ADMIN (the API rejects the field there), nor for Windows pods.',
        'zh-CN':
          '容器未设置该字段时设置 `allowPrivilegeEscalation: false`（safe）；容器显式设置为 true 时同样修改（review：这是有人特意选择的）。特权容器或添加了 SYS_ADMIN 的容器（API 会拒绝该字段）以及 Windows Pod 不提供修复。',
      },
    },
    messages: {
      missing: {
        en: 'Container "{{container}}" does not set `allowPrivilegeEscalation: false`, so it defaults to true: setuid binaries can gain more privileges than the process started with.',
        'zh-CN':
          '容器 "{{container}}" 未设置 `allowPrivilegeEscalation: false`，默认即为 true：进程可以借助 setuid 程序获得比启动时更多的权限。',
      },
      explicitTrue: {
        en: 'Container "{{container}}" sets `allowPrivilegeEscalation: true`: setuid binaries can gain more privileges than the process started with.',
        'zh-CN':
          '容器 "{{container}}" 设置了 `allowPrivilegeEscalation: true`：进程可以借助 setuid 程序获得比启动时更多的权限。',
      },
      forcedByPrivilege: {
        en: 'Container "{{container}}" can always escalate privileges because it sets `{{reason}}`; the API rejects `allowPrivilegeEscalation: false` until that is removed.',
        'zh-CN':
          '由于设置了 `{{reason}}`，容器 "{{container}}" 始终可以提权；在去掉该设置之前，API 会拒绝 `allowPrivilegeEscalation: false`。',
      },
    },
    docs: {
      why: {
        en: "Unless `allowPrivilegeEscalation` is false, the kernel's no_new_privs flag is not set and a process can gain privileges through setuid/setgid binaries or file capabilities, turning a foothold in the container into root inside it.",
        'zh-CN':
          '只要 `allowPrivilegeEscalation` 不是 false，内核的 no_new_privs 标志就不会被设置，进程可以通过 setuid/setgid 程序或文件能力获得更高权限，把在容器内的立足点变成容器内的 root。',
      },
      fix: {
        en: 'Set `allowPrivilegeEscalation: false` in the securityContext of every container, init and ephemeral ones included. A privileged container or one adding SYS_ADMIN cannot have it: remove `privileged: true` or the capability first.',
        'zh-CN':
          '在每个容器（包括 init 容器和临时容器）的 securityContext 中设置 `allowPrivilegeEscalation: false`。特权容器或添加了 SYS_ADMIN 的容器无法设置此项，需先去掉 `privileged: true` 或该能力。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      allowPrivilegeEscalation: false',
      ].join('\n'),
      severity: {
        en: "Medium: setuid binaries and file capabilities can raise a process's privileges inside the container; high when the container is privileged or adds SYS_ADMIN, where that gain reaches the node.",
        'zh-CN':
          '中：setuid 程序和文件能力可以在容器内提升进程权限；当容器为特权容器或添加了 SYS_ADMIN 时为高，因为这种提升会延伸到节点。',
      },
      references: [
        PSS_REFERENCE.restricted,
        SECURITY_CONTEXT_REFERENCE,
        CIS_REFERENCE,
        NSA_HARDENING_REFERENCE,
      ],
    },
  },
  check(context) {
    // allowPrivilegeEscalation exempts Windows pods from v1.25 (the field cannot be set there).
    if (atLeastMinor(context.version, 25) && context.podSpec.os?.name === 'windows') return;
    for (const node of context.containers) {
      const securityContext = node.container.securityContext;
      const value = securityContext?.allowPrivilegeEscalation;
      if (value === false) continue;
      const path = [...node.path, 'securityContext', 'allowPrivilegeEscalation'];
      const sysAdmin = securityContext?.capabilities?.add?.find((capability) =>
        ['SYS_ADMIN', 'ALL'].includes(canonicalCapability(capability)),
      );
      const reason =
        securityContext?.privileged === true
          ? 'privileged: true'
          : sysAdmin !== undefined
            ? `capabilities.add: ${sysAdmin}`
            : undefined;
      if (reason !== undefined) {
        context.report({
          messageId: 'forcedByPrivilege',
          data: { container: node.name, reason },
          path,
          container: node,
          severity: 'high',
        });
      } else {
        context.report({
          messageId: value === true ? 'explicitTrue' : 'missing',
          data: { container: node.name },
          path,
          container: node,
          ...(linuxPod(context)
            ? {
                fix: fix(
                  value === true ? 'review' : 'safe',
                  setContainerField(node, 'allowPrivilegeEscalation', false),
                ),
              }
            : {}),
        });
      }
    }
  },
});
