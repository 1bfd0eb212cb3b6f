import {
  enforceLabelCommand,
  NAMESPACE_POD_SECURITY,
  namespacePodSecurity,
  PSS_ENFORCE_LABEL,
} from '../../engine/pod-security-level.ts';
import { formatPssVersion } from '../../engine/pss-version.ts';
import { defineObjectRule, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE } from '../references.ts';

const PSA_REFERENCE: Reference = {
  title: 'Kubernetes: Pod Security Admission',
  url: 'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
};
const PSA_LABELS_REFERENCE: Reference = {
  title: 'Kubernetes: enforce Pod Security Standards with namespace labels',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/',
};

export const namespacePssUnenforced = defineObjectRule({
  meta: {
    id: 'namespace-pss-unenforced',
    subject: 'namespace',
    // The scan's tally of the namespace's workloads by the PSS levels they pass (computed, not read).
    facts: [NAMESPACE_POD_SECURITY],
    title: {
      en: 'Namespace enforces no Pod Security level',
      'zh-CN': '命名空间未强制执行 Pod 安全级别',
    },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: {
      enforceable: {
        en: 'Namespace "{{namespace}}" has no `pod-security.kubernetes.io/enforce` label, and its workloads ({{workloads}}) all already pass the {{level}} level ({{version}}): `{{command}}` enforces it without rejecting any of them.',
        'zh-CN':
          '命名空间 "{{namespace}}" 没有 `pod-security.kubernetes.io/enforce` 标签，而其全部 {{workloads}} 个工作负载已经满足 {{level}} 级别（{{version}}）：执行 `{{command}}` 即可强制执行该级别，不会拒绝其中任何一个。',
      },
      privilegedOnly: {
        en: 'Namespace "{{namespace}}" has no `pod-security.kubernetes.io/enforce` label, and {{failing}} of its {{workloads}} workloads fail the baseline level ({{version}}): fix them, or label the namespace `enforce=privileged` to say that this is intended.',
        'zh-CN':
          '命名空间 "{{namespace}}" 没有 `pod-security.kubernetes.io/enforce` 标签，且其 {{workloads}} 个工作负载中有 {{failing}} 个不满足 baseline 级别（{{version}}）：请修复它们，或给命名空间打上 `enforce=privileged` 标签以表明这是有意为之。',
      },
    },
    docs: {
      why: {
        en: 'Without an `enforce` label, Pod Security admission lets any pod into the namespace, however privileged: a level that every workload already meets costs nothing to enforce and stops the next privileged pod at the door.',
        'zh-CN':
          '没有 `enforce` 标签时，Pod 安全准入会放行任何 Pod，无论其权限多高：强制执行所有工作负载已经满足的级别没有任何代价，却能在下一个特权 Pod 进入时将其拦下。',
      },
      fix: {
        en: 'Run the `kubectl label` command of the finding (the report lists one per namespace). It pins `enforce-version` to the policy version the workloads were judged at, so a control-plane upgrade cannot tighten the level under them; check with `--dry-run=server` first, which prints a warning for every existing pod that would violate it. Namespaces whose workloads pass only privileged need those workloads fixed first.',
        'zh-CN':
          '执行发现中给出的 `kubectl label` 命令（报告为每个命名空间列出一条）。命令将 `enforce-version` 固定为评估工作负载时所用的策略版本，控制平面升级不会因此收紧级别；可先加 `--dry-run=server` 检查，它会为每个将违反该级别的现有 Pod 打印警告。仅满足 privileged 的命名空间需要先修复其中的工作负载。',
      },
      snippet: [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: shop',
        '  labels:',
        '    pod-security.kubernetes.io/enforce: restricted',
        '    pod-security.kubernetes.io/enforce-version: v1.37',
      ].join('\n'),
      references: [PSA_REFERENCE, PSA_LABELS_REFERENCE, PSS_REFERENCE.baseline, PSS_REFERENCE.restricted],
      severity: {
        en: 'Low: nothing runs with more privilege because of it today (the pod findings say what does); it is a missing guard for tomorrow, cheap to add.',
        'zh-CN':
          '低：目前没有任何东西因此获得更高权限（Pod 上的发现会说明哪些有）；它是缺失的一道面向未来的防线，添加代价很小。',
      },
    },
  },
  check(context) {
    const namespace = context.subject;
    if (namespace.metadata.labels?.[PSS_ENFORCE_LABEL] !== undefined) return;
    const tally = namespacePodSecurity(context.facts, namespace.name);
    // No workload in the scan: nothing to say which level would hold.
    if (!tally || tally.workloads === 0) return;
    const path = ['metadata', 'labels', PSS_ENFORCE_LABEL];
    const version = formatPssVersion(context.version);
    if (tally.level === 'privileged')
      context.report({
        messageId: 'privilegedOnly',
        data: {
          namespace: namespace.name,
          workloads: tally.workloads,
          failing: tally.failingBaseline,
          version,
        },
        path,
      });
    else
      context.report({
        messageId: 'enforceable',
        data: {
          namespace: namespace.name,
          workloads: tally.workloads,
          level: tally.level,
          version,
          command: enforceLabelCommand(namespace.name, tally.level, context.version),
        },
        path,
      });
  },
});
