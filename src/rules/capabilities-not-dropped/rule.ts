import { atLeastMinor } from '../../engine/pss-version.ts';
import { defineRule } from '../../engine/rule.ts';
import { containerSecurityContext } from '../../engine/fix.ts';
import { fix, linuxPod } from '../fixes.ts';
import {
  NSA_HARDENING_REFERENCE,
  PSS_REFERENCE,
  SECURITY_CONTEXT_REFERENCE,
  cisReference,
} from '../references.ts';

const CIS_REFERENCE = cisReference(
  'v1.9, 5.2.10: Minimize the admission of containers with capabilities assigned',
);

export const capabilitiesNotDropped = defineRule({
  meta: {
    id: 'capabilities-not-dropped',
    subject: 'pod-spec',
    title: { en: 'Container does not drop all capabilities', 'zh-CN': '容器未丢弃全部能力（capabilities）' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'restricted', check: 'capabilities_restricted' },
    fix: {
      safety: 'review',
      description: {
        en: "Replaces the container's `capabilities.drop` with `[ALL]`, keeping `add` (review: an app that needs a capability it does not add, e.g. to bind a port below 1024 or change file owners, fails). None for Windows pods.",
        'zh-CN':
          '将容器的 `capabilities.drop` 替换为 `[ALL]`，保留 `add`（review：依赖某项未显式添加的能力的应用会失败，例如绑定 1024 以下端口或修改文件属主）。Windows Pod 不提供修复。',
      },
    },
    messages: {
      missingDropAll: {
        en: 'Container "{{container}}" does not drop ALL capabilities: it keeps the runtime\'s default set (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_RAW on some runtimes, …).',
        'zh-CN':
          '容器 "{{container}}" 没有 drop ALL：它保留了容器运行时默认授予的能力（CHOWN、DAC_OVERRIDE、FOWNER、SETUID、SETGID，部分运行时还包括 NET_RAW 等）。',
      },
      allWrongCase: {
        en: 'Container "{{container}}" drops "{{value}}": Pod Security compares case-sensitively and only accepts "ALL", so this does not satisfy the Restricted check even if the runtime honours it.',
        'zh-CN':
          '容器 "{{container}}" 的 drop 写的是 "{{value}}"：Pod 安全标准区分大小写，只认 "ALL"，因此即使运行时接受这种写法，也无法通过 Restricted 检查。',
      },
    },
    docs: {
      why: {
        en: 'Containers start with a default set of capabilities that most apps never use; each one (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, …) widens what an attacker inside the container can do.',
        'zh-CN':
          '容器默认就带有一组能力，而大多数应用从来用不到；其中每一项（CHOWN、DAC_OVERRIDE、SETUID、NET_RAW 等）都会扩大攻击者攻入容器后的活动空间。',
      },
      fix: {
        en: 'Set `capabilities.drop: ["ALL"]` (upper case) on every container, init and ephemeral ones included, then add back only the few the app needs (NET_BIND_SERVICE is the only one Restricted allows). Do this before writing a seccomp policy, so that the policy starts from a small set of privileges.',
        'zh-CN':
          '在每个容器（包括 init 容器和临时容器）上设置 `capabilities.drop: ["ALL"]`（必须大写），再只加回应用真正需要的少数几项（Restricted 只允许 NET_BIND_SERVICE）。请在编写 seccomp 策略之前先完成这一步，让策略从最小的权限集合出发。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      capabilities:',
        '        drop: ["ALL"]',
      ].join('\n'),
      severity: {
        en: "Medium: the runtime's default capabilities are a modest set; dropping ALL is a restricted-level layer of defence that makes exploits harder, not a fix for an open hole.",
        'zh-CN':
          '中：运行时默认授予的能力有限；drop ALL 是 restricted 级别的一层纵深防御，能增加利用难度，但并非修补现有漏洞。',
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
    // capabilities_restricted exempts Windows pods from v1.25 (the API forbids capabilities there).
    if (atLeastMinor(context.version, 25) && context.podSpec.os?.name === 'windows') return;
    const linux = linuxPod(context);
    for (const node of context.containers) {
      // ALL covers every other entry of the list, so the fix replaces the list.
      const dropAll = linux
        ? {
            fix: fix('review', {
              op: 'set',
              path: [...containerSecurityContext(node), 'capabilities', 'drop'],
              value: ['ALL'],
            }),
          }
        : {};
      const capabilitiesPath = [...node.path, 'securityContext', 'capabilities'];
      const drop = node.container.securityContext?.capabilities?.drop ?? [];
      if (drop.includes('ALL')) continue;
      const wrongCase = drop.findIndex((value) => value.trim().toUpperCase() === 'ALL');
      if (wrongCase >= 0) {
        context.report({
          messageId: 'allWrongCase',
          data: { container: node.name, value: drop[wrongCase] ?? '' },
          path: [...capabilitiesPath, 'drop', wrongCase],
          container: node,
          ...dropAll,
        });
      } else {
        context.report({
          messageId: 'missingDropAll',
          data: { container: node.name },
          path: [...capabilitiesPath, 'drop'],
          container: node,
          ...dropAll,
        });
      }
    }
  },
});
