import { hostNamespaceRule } from '../host-namespace.ts';

export const hostIpc = hostNamespaceRule({
  id: 'host-ipc',
  field: 'hostIPC',
  title: { en: 'Pod shares the host IPC namespace', 'zh-CN': 'Pod 共享宿主机 IPC 命名空间' },
  message: {
    en: 'The pod sets `hostIPC: true`: its containers share System V IPC and POSIX shared memory with every process on the node.',
    'zh-CN': 'Pod 设置了 `hostIPC: true`：其容器与节点上的所有进程共享 System V IPC 和 POSIX 共享内存。',
  },
  why: {
    en: 'In the host IPC namespace a container can read and write the shared memory segments, semaphores and message queues of host processes and other pods, leaking or corrupting their data.',
    'zh-CN':
      '处于宿主机 IPC 命名空间的容器可以读写宿主机进程及其他 Pod 的共享内存段、信号量和消息队列，造成数据泄露或被篡改。',
  },
  fix: {
    en: 'Remove `hostIPC: true` (or set it to `false`). Containers of the same pod already share an IPC namespace.',
    'zh-CN': '删除 `hostIPC: true`（或设为 `false`）。同一 Pod 内的容器本来就共享 IPC 命名空间。',
  },
  severityWhy: {
    en: "High: the container shares the node's IPC namespace and can read or corrupt shared memory of host processes.",
    'zh-CN': '高：容器共享节点的 IPC 命名空间，可以读取或破坏宿主机进程的共享内存。',
  },
  cis: 'v1.9, 5.2.4: Minimize the admission of containers wishing to share the host IPC namespace',
});
