import { defineRule, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE, cisReference } from '../references.ts';

const CIS_REFERENCE = cisReference('v1.9, 5.2.13: Minimize the admission of containers which use HostPorts');
const SERVICE_REFERENCE: Reference = {
  title: 'Configuration Best Practices: Services (avoid hostPort)',
  url: 'https://kubernetes.io/docs/concepts/configuration/overview/#services',
};

export const hostPorts = defineRule({
  meta: {
    id: 'host-ports',
    subject: 'pod-spec',
    title: { en: 'Container binds a host port', 'zh-CN': '容器绑定宿主机端口' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'baseline', check: 'hostPorts' },
    messages: {
      hostPort: {
        en: 'Container "{{container}}" binds host port {{hostPort}} (container port {{containerPort}}) on the node\'s network interfaces.',
        'zh-CN':
          '容器 "{{container}}" 在节点网卡上绑定了宿主机端口 {{hostPort}}（容器端口 {{containerPort}}）。',
      },
    },
    docs: {
      why: {
        en: 'A host port exposes the container on every address of the node, outside NetworkPolicies and Service load balancing, and ties the pod to nodes where that port is free.',
        'zh-CN':
          '宿主机端口会把容器暴露在节点的所有地址上，绕过 NetworkPolicy 和 Service 负载均衡，还会把 Pod 限定在该端口空闲的节点上调度。',
      },
      fix: {
        en: 'Remove `hostPort` (or set it to 0) and expose the port with a Service (ClusterIP, NodePort or LoadBalancer) or an Ingress.',
        'zh-CN':
          '删除 `hostPort`（或设为 0），改用 Service（ClusterIP、NodePort 或 LoadBalancer）或 Ingress 暴露端口。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    ports:',
        '      - containerPort: 8080',
        '        # no hostPort',
      ].join('\n'),
      severity: {
        en: "Medium: a host port binds the node's address and bypasses Services and NetworkPolicy, but grants no privilege on the node by itself.",
        'zh-CN':
          '中：hostPort 直接占用节点地址上的端口，绕过 Service 和 NetworkPolicy，但本身不授予节点上的任何权限。',
      },
      references: [PSS_REFERENCE.baseline, SERVICE_REFERENCE, CIS_REFERENCE],
    },
  },
  check(context) {
    for (const node of context.containers) {
      node.container.ports?.forEach((port, index) => {
        // 0 and unset both mean "no host port", as upstream reads it.
        if (port.hostPort === null || port.hostPort === undefined || port.hostPort === 0) return;
        context.report({
          messageId: 'hostPort',
          data: { container: node.name, hostPort: port.hostPort, containerPort: port.containerPort ?? '' },
          path: [...node.path, 'ports', index, 'hostPort'],
          container: node,
        });
      });
    }
  },
});
