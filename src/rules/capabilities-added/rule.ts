import { atLeastMinor } from '../../engine/pss-version.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import {
  NSA_HARDENING_REFERENCE,
  PSS_REFERENCE,
  SECURITY_CONTEXT_REFERENCE,
  cisReference,
} from '../references.ts';

/** Upstream capabilities_baseline allowed set; membership is an exact, case-sensitive match. */
const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** The one capability capabilities_restricted lets a container add. */
const RESTRICTED_ALLOWED = 'NET_BIND_SERVICE';
/** Capabilities that amount to root on the node, compared in canonical form. */
const CRITICAL_CAPABILITIES: ReadonlySet<string> = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'BPF',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
]);

/**
 * The capability a runtime grants for a name as written: runtimes upper-case names and some strip a
 * `CAP_` prefix, so `sys_admin` and `CAP_SYS_ADMIN` can both mean SYS_ADMIN even though PSS, comparing
 * exactly, sees neither as SYS_ADMIN.
 */
export function canonicalCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice('CAP_'.length) : upper;
}

const CIS_REFERENCE = cisReference(
  'v1.9, 5.2.9: Minimize the admission of containers with added capabilities',
);
const CAPABILITIES_MAN_PAGE: Reference = {
  title: 'capabilities(7), Linux manual page',
  url: 'https://man7.org/linux/man-pages/man7/capabilities.7.html',
};

export const capabilitiesAdded = defineRule({
  meta: {
    id: 'capabilities-added',
    subject: 'pod-spec',
    title: { en: 'Container adds Linux capabilities', 'zh-CN': '容器添加了 Linux 能力（capabilities）' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'capabilities_baseline' },
    messages: {
      outsideBaseline: {
        en: 'Container "{{container}}" adds capability "{{capability}}", which is outside the Baseline allowed set.',
        'zh-CN': '容器 "{{container}}" 添加了能力 "{{capability}}"，该能力不在 Baseline 允许的范围内。',
      },
      dangerous: {
        en: 'Container "{{container}}" adds capability "{{capability}}", which gives near-root power over the node (kernel, devices, other processes or the network stack).',
        'zh-CN':
          '容器 "{{container}}" 添加了能力 "{{capability}}"，它几乎等同于节点上的 root 权限（可操作内核、设备、其他进程或网络栈）。',
      },
      nonCanonical: {
        en: 'Container "{{container}}" adds capability "{{capability}}": Pod Security compares names exactly, so this spelling is outside the Baseline allowed set, while container runtimes may still grant it as {{canonical}}. Write "{{canonical}}" if the app really needs it.',
        'zh-CN':
          '容器 "{{container}}" 添加了能力 "{{capability}}"：Pod 安全标准按名称精确比较，这种写法不在 Baseline 允许范围内，但容器运行时仍可能把它当作 {{canonical}} 授予。如确实需要，请写成 "{{canonical}}"。',
      },
      restrictedOnly: {
        en: 'Container "{{container}}" adds capability "{{capability}}": Baseline allows it, but Restricted allows adding only NET_BIND_SERVICE.',
        'zh-CN':
          '容器 "{{container}}" 添加了能力 "{{capability}}"：Baseline 允许，但 Restricted 只允许添加 NET_BIND_SERVICE。',
      },
    },
    docs: {
      why: {
        en: 'Every added capability is a piece of root: SYS_ADMIN, SYS_MODULE, SYS_PTRACE, BPF or NET_ADMIN each open a path from the container to the node kernel, and NET_RAW allows spoofing on the pod network.',
        'zh-CN':
          '每添加一项能力，就多给了容器一部分 root 权限：SYS_ADMIN、SYS_MODULE、SYS_PTRACE、BPF、NET_ADMIN 等都可能让容器突破到节点内核，NET_RAW 则可在 Pod 网络中伪造数据包。',
      },
      fix: {
        en: "Drop ALL capabilities and add back only the few the app needs (often none; NET_BIND_SERVICE to listen below port 1024), and do this before writing a seccomp policy, so that the policy starts from a small set of privileges. Prefer changing the app (listen on 8080, do not chown at start) over adding capabilities. A CNI or CSI node agent (calico-node, cilium, a CSI driver's node plugin) cannot drop NET_ADMIN, SYS_ADMIN, BPF or NET_RAW and still program the node's network or mount volumes for the kubelet: there the right answer is an exemption with a reason (kube-patrol ships presets for well-known agents, docs/exemption-presets.md), not a change to the agent.",
        'zh-CN':
          '先 drop ALL 去掉全部能力，再只加回应用真正需要的少数几项（通常一项都不需要；监听 1024 以下端口时加 NET_BIND_SERVICE），并且要在编写 seccomp 策略之前完成这一步，让策略从最小的权限集合出发。能改应用就别加能力（例如改为监听 8080、启动时不做 chown）。CNI 或 CSI 节点代理（calico-node、cilium、CSI 驱动的节点插件）若去掉 NET_ADMIN、SYS_ADMIN、BPF 或 NET_RAW，就无法再配置节点网络或为 kubelet 挂载卷：这种情况下正确的做法是配置注明原因的豁免（kube-patrol 为知名代理内置了预设，见 docs/exemption-presets.md），而不是修改代理本身。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      capabilities:',
        '        drop: ["ALL"]',
        '        add: ["NET_BIND_SERVICE"]   # only if the app needs it',
      ].join('\n'),
      severity: {
        en: 'High for capabilities outside the baseline set; critical for those that amount to root on the node (SYS_ADMIN, NET_ADMIN, SYS_MODULE, BPF, ALL…); low for baseline-set capabilities that only the restricted level forbids.',
        'zh-CN':
          '基线集合之外的能力为高；等同于节点 root 的能力（SYS_ADMIN、NET_ADMIN、SYS_MODULE、BPF、ALL 等）为严重；仅被 restricted 级别禁止的基线集合内能力为低。',
      },
      references: [
        PSS_REFERENCE.baseline,
        PSS_REFERENCE.restricted,
        SECURITY_CONTEXT_REFERENCE,
        CAPABILITIES_MAN_PAGE,
        CIS_REFERENCE,
        NSA_HARDENING_REFERENCE,
      ],
    },
  },
  check(context) {
    // capabilities_restricted exempts Windows pods from v1.25; capabilities_baseline has no exemption.
    const restrictedExempt = atLeastMinor(context.version, 25) && context.podSpec.os?.name === 'windows';
    for (const node of context.containers) {
      node.container.securityContext?.capabilities?.add?.forEach((capability, index) => {
        const path = [...node.path, 'securityContext', 'capabilities', 'add', index];
        if (BASELINE_CAPABILITIES.has(capability)) {
          if (capability === RESTRICTED_ALLOWED || restrictedExempt) return;
          context.report({
            messageId: 'restrictedOnly',
            data: { container: node.name, capability },
            path,
            container: node,
            severity: 'low',
            pss: { level: 'restricted', check: 'capabilities_restricted' },
          });
          return;
        }
        const canonical = canonicalCapability(capability);
        const severity = CRITICAL_CAPABILITIES.has(canonical) ? 'critical' : 'high';
        const messageId =
          canonical !== capability
            ? 'nonCanonical'
            : severity === 'critical'
              ? 'dangerous'
              : 'outsideBaseline';
        context.report({
          messageId,
          data: { container: node.name, capability, canonical },
          path,
          container: node,
          severity,
        });
      });
    }
  },
});
