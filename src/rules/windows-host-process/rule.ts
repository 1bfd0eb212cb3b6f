import { securityContextSites } from '../../engine/traverse.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE } from '../references.ts';

const HOST_PROCESS_REFERENCE: Reference = {
  title: 'Create a Windows HostProcess Pod',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/',
};

const CIS_HOST_PROCESS_REFERENCE: Reference = {
  title: 'CIS Kubernetes Benchmark 5.2.11: Minimize the admission of Windows HostProcess containers',
  url: 'https://www.cisecurity.org/benchmark/kubernetes',
};

export const windowsHostProcess = defineRule({
  meta: {
    id: 'windows-host-process',
    subject: 'pod-spec',
    title: { en: 'Windows HostProcess container', 'zh-CN': 'Windows HostProcess 容器' },
    category: 'pod-security',
    severity: 'critical',
    pss: { level: 'baseline', check: 'windowsHostProcess' },
    messages: {
      podHostProcess: {
        en: 'The pod sets `windowsOptions.hostProcess: true`: its containers run as processes directly on the Windows host.',
        'zh-CN':
          'Pod 设置了 `windowsOptions.hostProcess: true`：其容器将作为进程直接运行在 Windows 宿主机上。',
      },
      containerHostProcess: {
        en: 'Container "{{container}}" sets `windowsOptions.hostProcess: true`: it runs as a process directly on the Windows host.',
        'zh-CN':
          '容器 "{{container}}" 设置了 `windowsOptions.hostProcess: true`：它将作为进程直接运行在 Windows 宿主机上。',
      },
    },
    docs: {
      why: {
        en: "A HostProcess container shares the Windows node's network, processes and file system with host-level privileges; it is the Windows counterpart of a privileged container.",
        'zh-CN':
          'HostProcess 容器以宿主机级权限共享 Windows 节点的网络、进程和文件系统，相当于 Windows 上的特权容器。',
      },
      fix: {
        en: 'Remove `windowsOptions.hostProcess` (or set it to `false`) at pod and container level. Keep HostProcess pods for node-management DaemonSets in a namespace with the privileged level.',
        'zh-CN':
          '在 Pod 和容器级别删除 `windowsOptions.hostProcess`（或设为 `false`）。仅在 privileged 级别的命名空间中为节点管理类 DaemonSet 保留 HostProcess Pod。',
      },
      snippet: ['securityContext:', '  windowsOptions:', '    hostProcess: false'].join('\n'),
      severity: {
        en: "Critical: a HostProcess container runs as a process of the Windows node, with the node's administrator rights.",
        'zh-CN': '严重：HostProcess 容器作为 Windows 节点上的进程运行，拥有节点管理员权限。',
      },
      references: [PSS_REFERENCE.baseline, HOST_PROCESS_REFERENCE, CIS_HOST_PROCESS_REFERENCE],
    },
  },
  check(context) {
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      if (site.securityContext?.windowsOptions?.hostProcess === true) {
        context.report({
          messageId: site.container ? 'containerHostProcess' : 'podHostProcess',
          data: site.data,
          path: [...site.path, 'windowsOptions', 'hostProcess'],
          ...(site.container ? { container: site.container } : {}),
        });
      }
    }
  },
});
