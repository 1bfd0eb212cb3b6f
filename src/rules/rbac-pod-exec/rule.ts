import { definePowerRule } from '../rbac-rule.ts';

export const rbacPodExec = definePowerRule({
  id: 'rbac-pod-exec',
  title: {
    en: 'Binding grants exec, attach or port-forward into pods',
    'zh-CN': '绑定授予在 Pod 中 exec、attach 或端口转发的权限',
  },
  power: {
    en: 'run commands in, attach to or port-forward into pods',
    'zh-CN': '在 Pod 中执行命令、附加或进行端口转发',
  },
  severity: {
    en: "High: a shell in other workloads' containers, with their credentials and data; bounded by the namespaces it is granted in. One step lower on a workload that mounts no token.",
    'zh-CN':
      '高：可在其他工作负载的容器中获得 shell，取得其凭据与数据；影响范围限于被授权的命名空间。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: 'exec and attach run commands inside a container with its identity, files and mounted credentials; port-forward reaches its ports from outside. A GET is enough: the WebSocket upgrade that kubectl uses is a GET.',
    'zh-CN':
      'exec 与 attach 以容器的身份、文件和挂载的凭据在容器内执行命令；port-forward 可从外部访问其端口。GET 即已足够：kubectl 使用的 WebSocket 升级请求就是 GET。',
  },
  fix: {
    en: 'Remove `pods/exec`, `pods/attach` and `pods/portforward` (with both `create` and `get`) from roles that do not need them; grant them for debugging only, in one namespace, for a limited time.',
    'zh-CN':
      '从不需要的角色中删除 `pods/exec`、`pods/attach` 和 `pods/portforward`（`create` 与 `get` 都要删除）；仅在调试时、限定在一个命名空间内、有时限地授予。',
  },
  snippet: ['rules:', '  - apiGroups: [""]', '    resources: [pods, pods/log]', '    verbs: [get, list]'],
  narrowedByNames: true,
});
