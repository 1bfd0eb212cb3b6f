import { defineObjectRule, type Reference } from '../../engine/rule.ts';
import { REQUIRED_BASE_SET } from '../../seccomp/base-set.ts';
import { SECCOMP_REFERENCE } from '../references.ts';

const SPO_REFERENCE: Reference = {
  title: 'Security Profiles Operator: SeccompProfile',
  url: 'https://github.com/kubernetes-sigs/security-profiles-operator/blob/main/installation-usage.md',
};

/** Actions under which a call not listed still runs. */
const PERMITTING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE']);

interface SyscallGroup {
  action?: unknown;
  names?: unknown;
}

function allowedNames(syscalls: unknown): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(syscalls)) return names;
  for (const group of syscalls as SyscallGroup[]) {
    if (
      !group ||
      typeof group !== 'object' ||
      group.action !== 'SCMP_ACT_ALLOW' ||
      !Array.isArray(group.names)
    )
      continue;
    for (const name of group.names) if (typeof name === 'string') names.add(name);
  }
  return names;
}

export const seccompProfileWeak = defineObjectRule({
  meta: {
    id: 'seccomp-profile-weak',
    subject: 'seccomp-profile',
    title: { en: 'Weak SeccompProfile', 'zh-CN': 'SeccompProfile 过于宽松或不完整' },
    category: 'hardening',
    severity: 'medium',
    pss: null,
    messages: {
      allowsByDefault: {
        en: 'SeccompProfile "{{name}}" has `defaultAction: {{action}}`: every system call it does not list still runs (a deny-list).',
        'zh-CN':
          'SeccompProfile "{{name}}" 的 `defaultAction: {{action}}`：未列出的系统调用照样执行（这是黑名单）。',
      },
      logsOnly: {
        en: 'SeccompProfile "{{name}}" has `defaultAction: SCMP_ACT_LOG`: it only logs the calls it does not list (a trial profile), and denies nothing.',
        'zh-CN':
          'SeccompProfile "{{name}}" 的 `defaultAction: SCMP_ACT_LOG`：未列出的调用只会被记录（试运行配置），不会被拒绝。',
      },
      emptyAllowList: {
        en: 'SeccompProfile "{{name}}" denies by default but allows no system call and names no `baseProfileName`: no container can start under it.',
        'zh-CN':
          'SeccompProfile "{{name}}" 默认拒绝，却没有放行任何系统调用，也没有 `baseProfileName`：任何容器都无法在它之下启动。',
      },
      missingBaseSet: {
        en: 'SeccompProfile "{{name}}" does not allow {{missing}}, which the container runtime needs to start any process, and names no `baseProfileName`.',
        'zh-CN':
          'SeccompProfile "{{name}}" 未放行 {{missing}}，而容器运行时启动任何进程都需要它们；也没有设置 `baseProfileName`。',
      },
      noDefaultAction: {
        en: 'SeccompProfile "{{name}}" has no `spec.defaultAction`: it is not a valid profile.',
        'zh-CN': 'SeccompProfile "{{name}}" 没有 `spec.defaultAction`：这不是有效的配置。',
      },
    },
    docs: {
      why: {
        en: 'A seccomp profile protects only when it denies what it does not list. A deny-list or a log-only profile lets through the rarely used system calls kernel exploits use; a profile without the calls runc makes for itself after loading the filter stops every container that uses it.',
        'zh-CN':
          'seccomp 配置只有在拒绝未列出的调用时才起保护作用。黑名单或只记录的配置会放过内核漏洞利用常用的冷门系统调用；缺少 runc 装载过滤器后自身所需调用的配置，则会让使用它的每个容器都无法启动。',
      },
      fix: {
        en: "Use `defaultAction: SCMP_ACT_ERRNO` with an allow list. Generate one from an strace of the app with `kube-patrol seccomp profile --from-strace TRACE -o spo`, which adds the runtime's base set; or set `baseProfileName` to the SPO base profile of your runtime. Keep `SCMP_ACT_LOG` for a trial period only.",
        'zh-CN':
          '使用 `defaultAction: SCMP_ACT_ERRNO` 加放行列表。可用 `kube-patrol seccomp profile --from-strace TRACE -o spo` 从应用的 strace 结果生成（会加入运行时所需的基础集合），或将 `baseProfileName` 设为对应运行时的 SPO 基础配置。`SCMP_ACT_LOG` 只用于试运行期。',
      },
      snippet: [
        'apiVersion: security-profiles-operator.x-k8s.io/v1beta1',
        'kind: SeccompProfile',
        'metadata: { name: app, namespace: shop }',
        'spec:',
        '  defaultAction: SCMP_ACT_ERRNO',
        '  syscalls:',
        '    - action: SCMP_ACT_ALLOW',
        '      names: [execve, exit_group, futex, openat, read, write, close, mmap, fstatfs, getdents64]',
      ].join('\n'),
      severity: {
        en: 'Medium: a weak profile still loads, so workloads that use it look confined while a deny-list or log-only profile lets most system calls through; review the profile as part of hardening work rather than as an incident.',
        'zh-CN':
          '中：较弱的配置文件仍会被加载，使用它的工作负载看似受到约束，但黑名单式或仅记录的配置文件会放行大部分系统调用；应作为加固工作的一部分审查该配置文件，而不是当作事故处理。',
      },
      references: [SECCOMP_REFERENCE, SPO_REFERENCE],
    },
  },
  check(context) {
    const { subject } = context;
    const spec = (subject.object.spec ?? {}) as Record<string, unknown>;
    const name = subject.name;
    const action = spec.defaultAction;
    if (typeof action !== 'string' || action === '') {
      context.report({ messageId: 'noDefaultAction', data: { name }, path: ['spec', 'defaultAction'] });
      return;
    }
    if (action === 'SCMP_ACT_LOG') {
      context.report({ messageId: 'logsOnly', data: { name }, path: ['spec', 'defaultAction'] });
      return;
    }
    if (PERMITTING.has(action)) {
      context.report({
        messageId: 'allowsByDefault',
        data: { name, action },
        path: ['spec', 'defaultAction'],
      });
      return;
    }
    // A base profile (SPO's runc-v1.x.y) supplies the runtime's calls; the allow list may then be short.
    if (typeof spec.baseProfileName === 'string' && spec.baseProfileName !== '') return;
    const allowed = allowedNames(spec.syscalls);
    if (allowed.size === 0) {
      context.report({ messageId: 'emptyAllowList', data: { name }, path: ['spec', 'syscalls'] });
      return;
    }
    const missing = REQUIRED_BASE_SET.filter((n) => !allowed.has(n));
    if (missing.length > 0)
      context.report({
        messageId: 'missingBaseSet',
        data: { name, missing: missing.join(', ') },
        path: ['spec', 'syscalls'],
      });
  },
});
