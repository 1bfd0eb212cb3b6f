import { defineRule } from '../../engine/rule.ts';
import { PSS_REFERENCE } from '../references.ts';

export const privileged = defineRule({
  meta: {
    id: 'privileged',
    subject: 'pod-spec',
    title: { en: 'Privileged container', 'zh-CN': '特权容器' },
    category: 'pod-security',
    severity: 'critical',
    pss: { level: 'baseline', check: 'privileged' },
    messages: {
      privileged: {
        en: 'Container "{{container}}" runs privileged: it has every capability and the host\'s devices.',
        'zh-CN': '容器 "{{container}}" 以特权模式运行：拥有全部能力（capabilities）并可访问宿主机设备。',
      },
    },
    docs: {
      why: {
        en: 'A privileged container can do almost anything the host kernel allows; a compromise of the app is a compromise of the node.',
        'zh-CN': '特权容器几乎可以执行宿主机内核允许的任何操作；应用一旦被攻破，整个节点也随之失守。',
      },
      fix: {
        en: "Remove `privileged: true`. Grant the few capabilities the app really needs with `capabilities.add` instead. A CNI or CSI node agent (calico-node, cilium, a CSI driver's node plugin) cannot drop this and still program the node's network or mount volumes for the kubelet: there the right answer is an exemption with a reason (kube-patrol ships presets for well-known agents, docs/exemption-presets.md), not a change to the agent.",
        'zh-CN':
          '删除 `privileged: true`。如确有需要，改用 `capabilities.add` 只授予应用真正需要的少数能力。CNI 或 CSI 节点代理（calico-node、cilium、CSI 驱动的节点插件）若去掉它，就无法再配置节点网络或为 kubelet 挂载卷：这种情况下正确的做法是配置注明原因的豁免（kube-patrol 为知名代理内置了预设，见 docs/exemption-presets.md），而不是修改代理本身。',
      },
      snippet: ['containers:', '  - name: app', '    securityContext:', '      privileged: false'].join('\n'),
      severity: {
        en: "Critical: a privileged container has every capability and the node's devices, without seccomp or AppArmor; root in it is root on the node.",
        'zh-CN':
          '严重：特权容器拥有全部能力和节点设备，且不受 seccomp、AppArmor 约束；容器中的 root 就是节点上的 root。',
      },
      references: [PSS_REFERENCE.baseline],
    },
  },
  check(context) {
    for (const node of context.containers) {
      if (node.container.securityContext?.privileged === true) {
        context.report({
          messageId: 'privileged',
          data: { container: node.name },
          path: [...node.path, 'securityContext', 'privileged'],
          container: node,
        });
      }
    }
  },
});
