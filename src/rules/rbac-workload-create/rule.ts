import { definePowerRule } from '../rbac-rule.ts';

export const rbacWorkloadCreate = definePowerRule({
  id: 'rbac-workload-create',
  title: {
    en: 'Binding grants creating pods or pod controllers',
    'zh-CN': '绑定授予创建 Pod 或 Pod 控制器的权限',
  },
  power: { en: 'create pods or pod controllers', 'zh-CN': '创建 Pod 或 Pod 控制器' },
  severity: {
    en: 'Medium: creating pods is what deployment tools are for, yet it yields every service account and Secret of the namespace; Pod Security admission limits how far beyond the namespace it reaches. One step lower on a workload that mounts no token.',
    'zh-CN':
      '中：创建 Pod 本是部署工具的职责，但它能获得命名空间中所有 ServiceAccount 与 Secret；Pod Security 准入限制其越出命名空间的程度。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: 'Whoever can create a pod, directly or through a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController, can run it as any service account of the namespace and mount any Secret there: they get every permission of that namespace.',
    'zh-CN':
      '能够直接或通过 Deployment、DaemonSet、StatefulSet、ReplicaSet、Job、CronJob 或 ReplicationController 创建 Pod 的主体，可以让 Pod 以该命名空间中任意 ServiceAccount 的身份运行并挂载其中任意 Secret，从而获得该命名空间的全部权限。',
  },
  fix: {
    en: 'Grant workload creation only to deployment pipelines and operators that need it, in their namespaces; keep Pod Security admission at `restricted` there so that what they create cannot escape to the node.',
    'zh-CN':
      '只向确实需要的部署流水线和 Operator 在其命名空间内授予创建工作负载的权限；并在这些命名空间启用 `restricted` 级别的 Pod Security 准入，使其创建的 Pod 无法逃逸到节点。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [apps]',
    '    resources: [deployments]',
    '    verbs: [get, list, watch]',
  ],
  cis: '5.1.4: Minimize access to create pods',
  narrowedByNames: false,
});
