import { hostNamespaceRule } from '../host-namespace.ts';

export const hostPid = hostNamespaceRule({
  id: 'host-pid',
  field: 'hostPID',
  title: { en: 'Pod shares the host PID namespace', 'zh-CN': 'Pod 共享宿主机 PID 命名空间' },
  message: {
    en: 'The pod sets `hostPID: true`: its containers see every process on the node.',
    'zh-CN': 'Pod 设置了 `hostPID: true`：其容器可以看到节点上的所有进程。',
  },
  why: {
    en: "In the host PID namespace a container can list, signal and (with ptrace or as root) inspect any process on the node, read other containers' environment variables and files through /proc, and escape via `nsenter`.",
    'zh-CN':
      '处于宿主机 PID 命名空间的容器可以列出节点上的任意进程并向其发送信号，（具备 ptrace 能力或以 root 运行时）还能查看其内存，通过 /proc 读取其他容器的环境变量和文件，甚至借助 `nsenter` 逃逸到宿主机。',
  },
  fix: {
    en: 'Remove `hostPID: true` (or set it to `false`). To share processes between containers of the same pod, use `shareProcessNamespace: true` instead.',
    'zh-CN':
      '删除 `hostPID: true`（或设为 `false`）。如只需在同一 Pod 的容器之间共享进程，请改用 `shareProcessNamespace: true`。',
  },
  severityWhy: {
    en: 'High: the container sees and can signal every process on the node and read their command lines and environments.',
    'zh-CN': '高：容器能看到并向节点上所有进程发送信号，还能读取它们的命令行和环境变量。',
  },
  cis: 'v1.9, 5.2.3: Minimize the admission of containers wishing to share the host process ID namespace',
});
