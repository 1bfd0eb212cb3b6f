import { defineObjectRule, type Reference } from '../../engine/rule.ts';
import {
  KUBELET_CONFIG_SOURCE_ANNOTATION,
  KUBELET_CONFIGURATION,
  type Facts,
  type KubeObject,
} from '../../engine/subject.ts';
import { SECCOMP_REFERENCE } from '../references.ts';

const SECCOMP_DEFAULT_REFERENCE: Reference = {
  title: 'Kubernetes: use RuntimeDefault as the default seccomp profile for all workloads',
  url: 'https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads',
};

/** What a node's kubelet does with a container that sets no seccomp profile, and how we know. */
export interface KubeletSeccompDefault {
  /** `true`, `false` (set false or not set: the kubelet's default is false), or `unknown`. */
  readonly value: 'true' | 'false' | 'unknown';
  /** Where the value was read, e.g. `kubeadm ConfigMap kube-system/kubelet-config`. */
  readonly source: string;
}

/**
 * The kubelet `seccompDefault` that applies to a node, from the facts: a configuration read for that node
 * (its name in `metadata.name`), else the cluster's intended default (kubeadm's kubelet-config ConfigMap,
 * named `kubelet-config`), else unknown.
 */
export function kubeletSeccompDefault(facts: Facts, nodeName: string | null): KubeletSeccompDefault {
  const configs = facts.objects(KUBELET_CONFIGURATION);
  const own = nodeName === null ? undefined : configs.find((c) => c.name === nodeName);
  const config: KubeObject | undefined = own ?? configs.find((c) => c.name === 'kubelet-config');
  if (!config) return { value: 'unknown', source: 'none read' };
  const source =
    config.metadata.annotations?.[KUBELET_CONFIG_SOURCE_ANNOTATION] ??
    `${config.origin.file === 'cluster' ? 'cluster' : config.origin.file}: KubeletConfiguration ${config.name}`;
  return { value: config.object['seccompDefault'] === true ? 'true' : 'false', source: String(source) };
}

export const kubeletSeccompDefaultRule = defineObjectRule({
  meta: {
    id: 'kubelet-seccomp-default',
    subject: 'node',
    optIn: true,
    facts: [KUBELET_CONFIGURATION],
    title: {
      en: "Node's kubelet does not default to RuntimeDefault seccomp",
      'zh-CN': '节点的 kubelet 未默认使用 RuntimeDefault seccomp',
    },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: {
      disabled: {
        en: 'The kubelet of node {{node}} runs without `seccompDefault: true` (read from {{source}}): containers that set no seccomp profile run Unconfined there.',
        'zh-CN':
          '节点 {{node}} 的 kubelet 未设置 `seccompDefault: true`（来源：{{source}}）：未设置 seccomp 配置的容器在该节点上以 Unconfined 运行。',
      },
      unknown: {
        en: 'The kubelet seccompDefault of node {{node}} could not be read: whether containers without a profile run filtered there is unknown.',
        'zh-CN':
          '无法读取节点 {{node}} 的 kubelet seccompDefault：未设置 seccomp 配置的容器在该节点上是否被过滤未知。',
      },
    },
    docs: {
      why: {
        en: "With `seccompDefault: true` (GA since v1.27) the kubelet gives every container that sets no profile the runtime's default seccomp filter, so a forgotten `seccompProfile` no longer means a container with all of Linux's syscalls.",
        'zh-CN':
          '设置 `seccompDefault: true`（v1.27 起 GA）后，kubelet 会为所有未设置 seccomp 配置的容器应用运行时的默认过滤器，忘记设置 `seccompProfile` 不再意味着容器可以调用全部 Linux 系统调用。',
      },
      fix: {
        en: "Set `seccompDefault: true` in the KubeletConfiguration of every node (kubeadm: the `kubelet-config` ConfigMap in kube-system and each node's /var/lib/kubelet/config.yaml, or the kubelet flag `--seccomp-default`), then restart the kubelets. Test workloads first with `kube-patrol seccomp check`: RuntimeDefault denies a few syscalls. PSS still judges the pod spec: keep setting `seccompProfile` in the pods.",
        'zh-CN':
          '在每个节点的 KubeletConfiguration 中设置 `seccompDefault: true`（kubeadm：kube-system 中的 `kubelet-config` ConfigMap 及各节点的 /var/lib/kubelet/config.yaml，或 kubelet 参数 `--seccomp-default`），然后重启 kubelet。先用 `kube-patrol seccomp check` 检验工作负载：RuntimeDefault 会拒绝少量系统调用。PSS 仍按 Pod 规约判断：Pod 中仍应设置 `seccompProfile`。',
      },
      snippet: [
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        'seccompDefault: true',
      ].join('\n'),
      references: [SECCOMP_DEFAULT_REFERENCE, SECCOMP_REFERENCE],
      severity: {
        en: 'Low: the node default is a safety net under pods that forget `seccompProfile` (reported on each pod by seccomp-profile-missing); turning it on is a planned node change after testing workloads, not an incident. Unknown is info: nothing was seen to judge.',
        'zh-CN':
          '低：节点默认值是对忘记设置 `seccompProfile` 的 Pod 的兜底（每个 Pod 由 seccomp-profile-missing 报告）；开启它是在测试工作负载之后有计划的节点变更，而不是事故。未知为 info：没有可判断的依据。',
      },
    },
  },
  check(context) {
    const { value, source } = kubeletSeccompDefault(context.facts, context.subject.name);
    if (value === 'true') return;
    if (value === 'unknown')
      context.report({
        messageId: 'unknown',
        data: { node: context.subject.name },
        path: ['metadata', 'name'],
        severity: 'info',
      });
    else
      context.report({
        messageId: 'disabled',
        data: { node: context.subject.name, source },
        path: ['metadata', 'name'],
        evidence: [`seccompDefault read from ${source}`],
      });
  },
});
