import { defineRule, type Reference } from '../../engine/rule.ts';
import { formatPssVersion } from '../../engine/pss-version.ts';
import { PSS_REFERENCE } from '../references.ts';

const SYSCTL_REFERENCE: Reference = {
  title: 'Using sysctls in a Kubernetes Cluster',
  url: 'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/',
};

/**
 * Upstream's safe sysctls, by the policy version that first allows them. Names match exactly as
 * written: upstream does not normalise the slash form (`net/ipv4/...`) nor the case.
 */
const SAFE_SYSCTLS_SINCE: readonly (readonly [minor: number, names: readonly string[]])[] = [
  [
    0,
    [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  ],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [
    29,
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

/** The first policy minor that allows a sysctl, or undefined when none does. */
function safeSinceMinor(name: string): number | undefined {
  return SAFE_SYSCTLS_SINCE.find(([, names]) => names.includes(name))?.[0];
}

export const sysctlsUnsafe = defineRule({
  meta: {
    id: 'sysctls-unsafe',
    subject: 'pod-spec',
    title: { en: 'Unsafe sysctl', 'zh-CN': '不安全的 sysctl' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'sysctls' },
    messages: {
      unsafeSysctl: {
        en: 'The pod sets sysctl "{{sysctl}}", which is not in the safe set of policy {{version}}.',
        'zh-CN': 'Pod 设置了 sysctl "{{sysctl}}"，它不在 {{version}} 策略的安全 sysctl 列表中。',
      },
      notYetSafe: {
        en: 'The pod sets sysctl "{{sysctl}}", which is safe only from policy {{safeSince}}, not at {{version}}.',
        'zh-CN':
          'Pod 设置了 sysctl "{{sysctl}}"，它自 {{safeSince}} 策略起才被视为安全，在 {{version}} 中不允许。',
      },
    },
    docs: {
      why: {
        en: 'Sysctls outside the safe set are not isolated per pod: they can change kernel behaviour for every workload on the node or turn off security mechanisms.',
        'zh-CN':
          '安全列表以外的 sysctl 并非按 Pod 隔离：它们可能改变节点上所有工作负载的内核行为，或关闭安全机制。',
      },
      fix: {
        en: 'Remove the sysctl, or keep to the safe set of your policy version (for example `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_keepalive_time` from v1.29, `net.ipv4.tcp_rmem` from v1.32). Node-wide tuning belongs in the node configuration, not in a pod.',
        'zh-CN':
          '删除该 sysctl，或只使用当前策略版本安全列表中的 sysctl（例如 `net.ipv4.ip_local_port_range`，v1.29 起的 `net.ipv4.tcp_keepalive_time`，v1.32 起的 `net.ipv4.tcp_rmem`）。节点级调优应放在节点配置中，而不是 Pod 里。',
      },
      snippet: [
        'securityContext:',
        '  sysctls:',
        '    - name: net.ipv4.ip_local_port_range',
        '      value: "1024 65535"',
      ].join('\n'),
      severity: {
        en: 'High: an unsafe sysctl changes kernel settings that are not namespaced to the pod and so affects the whole node.',
        'zh-CN': '高：不安全的 sysctl 会修改未按 Pod 隔离的内核参数，从而影响整个节点。',
      },
      references: [PSS_REFERENCE.baseline, SYSCTL_REFERENCE],
    },
  },
  check(context) {
    const version = formatPssVersion(context.version);
    const sysctls = context.podSpec.securityContext?.sysctls ?? [];
    sysctls.forEach((sysctl, index) => {
      const since = safeSinceMinor(sysctl.name);
      if (since !== undefined && context.version.minor >= since) return;
      context.report({
        ...(since === undefined
          ? { messageId: 'unsafeSysctl' as const, data: { sysctl: sysctl.name, version } }
          : {
              messageId: 'notYetSafe' as const,
              data: { sysctl: sysctl.name, version, safeSince: formatPssVersion({ major: 1, minor: since }) },
            }),
        path: [...context.podSpecPath, 'securityContext', 'sysctls', index, 'name'],
      });
    });
  },
});
