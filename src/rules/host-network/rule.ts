import { hostNamespaceRule } from '../host-namespace.ts';

export const hostNetwork = hostNamespaceRule({
  id: 'host-network',
  field: 'hostNetwork',
  title: { en: 'Pod shares the host network namespace', 'zh-CN': 'Pod 共享宿主机网络命名空间' },
  message: {
    en: "The pod sets `hostNetwork: true`: its containers use the node's network stack and can reach every interface and loopback service of the node.",
    'zh-CN':
      'Pod 设置了 `hostNetwork: true`：其容器直接使用节点的网络栈，可访问节点的所有网卡以及仅监听在本地回环地址上的服务。',
  },
  why: {
    en: "With the host network the pod bypasses NetworkPolicies, can sniff node traffic and reach services bound to the node's localhost (the kubelet, the container runtime, cloud metadata proxies).",
    'zh-CN':
      '使用宿主机网络后，Pod 不再受 NetworkPolicy 约束，可以嗅探节点流量，并能访问只监听在节点 localhost 上的服务（kubelet、容器运行时、云厂商元数据代理等）。',
  },
  fix: {
    en: 'Remove `hostNetwork: true` (or set it to `false`) and expose the app through a Service. Node agents that truly need the host network (CNI, node-local DNS) belong in a dedicated namespace with an exemption that records why.',
    'zh-CN':
      '删除 `hostNetwork: true`（或设为 `false`），通过 Service 暴露应用。确实需要宿主机网络的节点组件（CNI、node-local DNS 等）应放在专用命名空间中，并配置注明原因的豁免。',
  },
  severityWhy: {
    en: 'High: the container sees every interface of the node and services bound to its loopback (the kubelet, and etcd on control-plane nodes), and NetworkPolicy no longer applies to it.',
    'zh-CN':
      '高：容器能看到节点的所有网卡以及绑定在本机回环地址上的服务（kubelet，控制面节点上还有 etcd），NetworkPolicy 对它也不再生效。',
  },
  cis: 'v1.9, 5.2.5: Minimize the admission of containers wishing to share the host network namespace',
});
