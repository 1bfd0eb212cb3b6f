import { definePowerRule } from '../rbac-rule.ts';

export const rbacNodesProxy = definePowerRule({
  id: 'rbac-nodes-proxy',
  title: { en: 'Binding grants nodes/proxy', 'zh-CN': '绑定授予 nodes/proxy 权限' },
  power: { en: 'use the kubelet API through nodes/proxy', 'zh-CN': '通过 nodes/proxy 使用 kubelet API' },
  severity: {
    en: 'Critical: the kubelet API of every node runs commands in every pod, past admission and audit. One step lower on a workload that mounts no token.',
    'zh-CN':
      '严重：每个节点的 kubelet API 都能在所有 Pod 中执行命令，并绕过准入与审计。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: 'nodes/proxy reaches the kubelet API of every node, which runs commands in every pod of the node and bypasses admission and audit of the pod exec path.',
    'zh-CN':
      'nodes/proxy 可以访问每个节点的 kubelet API，能在节点上的所有 Pod 中执行命令，并绕过 Pod exec 路径上的准入与审计。',
  },
  fix: {
    en: 'Remove `nodes/proxy` from every role except the few monitoring components that need it (prefer `nodes/metrics` and `nodes/stats`).',
    'zh-CN':
      '除少数确需它的监控组件外，从所有角色中删除 `nodes/proxy`（优先使用 `nodes/metrics` 与 `nodes/stats`）。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [""]',
    '    resources: [nodes/metrics, nodes/stats]',
    '    verbs: [get]',
  ],
  cis: '5.1.10: Minimize access to the proxy sub-resource of nodes',
  clusterOnly: true,
  narrowedByNames: true,
});
