import { defineRule, type Reference } from '../../engine/rule.ts';
import { atLeastMinor } from '../../engine/pss-version.ts';

const MANAGE_RESOURCES_REFERENCE: Reference = {
  title: 'Resource Management for Pods and Containers',
  url: 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
};
const POD_LEVEL_RESOURCES_REFERENCE: Reference = {
  title: 'Assign Pod-level CPU and memory resources',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/',
};
const NSA_RESOURCE_POLICIES_REFERENCE: Reference = {
  title: 'NSA/CISA Kubernetes Hardening Guidance: resource policies',
  url: 'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
};

/** Pod-level `spec.resources` is beta and on by default from v1.34 (PodLevelResources); earlier it is dropped. */
const POD_LEVEL_RESOURCES_MINOR = 34;

type Kind = 'requests' | 'limits';
const FIELDS: readonly { kind: Kind; resource: 'cpu' | 'memory'; cpuLimit?: true }[] = [
  { kind: 'requests', resource: 'cpu' },
  { kind: 'requests', resource: 'memory' },
  { kind: 'limits', resource: 'cpu', cpuLimit: true },
  { kind: 'limits', resource: 'memory' },
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSet(quantity: unknown): boolean {
  return quantity !== null && quantity !== undefined && quantity !== '';
}

/** Whether `resources` sets `kind.resource`, counting the API server's defaulting of a missing request to the limit. */
function provides(resources: unknown, kind: Kind, resource: string): boolean {
  if (!isRecord(resources)) return false;
  const own = resources[kind];
  if (isRecord(own) && isSet(own[resource])) return true;
  const limits = resources['limits'];
  return kind === 'requests' && isRecord(limits) && isSet(limits[resource]);
}

export const resourcesMissing = defineRule({
  meta: {
    id: 'resources-missing',
    subject: 'pod-spec',
    title: { en: 'CPU or memory requests or limits missing', 'zh-CN': '缺少 CPU 或内存的 requests / limits' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    options: {
      requireCpuLimit: {
        default: false,
        description: {
          en: 'also require `resources.limits.cpu`. Off by default: a CPU limit throttles a container even when the node has idle CPU (CFS quota), which costs latency, and CPU is compressible, so a container without one slows its neighbours down but cannot take the node down the way missing memory limits can. Turn it on where a policy demands CPU limits (e.g. a LimitRange-free multi-tenant cluster).',
          'zh-CN':
            '同时要求设置 `resources.limits.cpu`。默认关闭：CPU limit 即使在节点 CPU 空闲时也会限流（CFS 配额），带来延迟；而且 CPU 是可压缩资源，没有 CPU limit 的容器只会拖慢邻居，不会像缺少内存 limit 那样拖垮节点。若制度要求设置 CPU limit（例如没有 LimitRange 的多租户集群），再开启此项。',
        },
      },
    },
    messages: {
      resourcesMissing: {
        en: 'Container "{{container}}" sets no {{missing}} (under `resources`).',
        'zh-CN': '容器 "{{container}}" 未设置 {{missing}}（位于 `resources` 下）。',
      },
    },
    docs: {
      why: {
        en: "Without requests the scheduler cannot place the pod sensibly and it is the first to be evicted under pressure; without a memory limit one container can exhaust the node's memory and get its neighbours killed, a cheap denial of service.",
        'zh-CN':
          '不设置 requests，调度器无法合理安排 Pod，资源紧张时它也会最先被驱逐；不设置内存 limit，单个容器就可能耗尽节点内存、导致同节点上的其他工作负载被杀掉，造成低成本的拒绝服务。',
      },
      fix: {
        en: 'Set `resources.requests` for cpu and memory and `resources.limits.memory` on every long-running container (app containers and sidecars, i.e. init containers with `restartPolicy: Always`), sized from observed usage; one finding per container names every missing field. A limit alone also sets the request to the same value. From v1.34 the pod-level `spec.resources` can cover all containers at once. A CPU limit is not required unless the `requireCpuLimit` option is on (see Options for why). Init containers that run to completion and ephemeral containers are not checked.',
        'zh-CN':
          '根据实际用量，为每个长期运行的容器（应用容器和边车容器，即 `restartPolicy: Always` 的 Init 容器）设置 cpu 和内存的 `resources.requests` 以及 `resources.limits.memory`；每个容器只产生一条问题，列出所有缺失的字段。只设置 limit 时，request 会被默认设为相同的值。自 v1.34 起也可以使用 Pod 级别的 `spec.resources` 统一约束所有容器。除非开启 `requireCpuLimit` 选项，否则不要求 CPU limit（原因见“选项”）。运行至结束的 Init 容器和临时容器不做检查。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    resources:',
        '      requests:',
        '        cpu: 100m',
        '        memory: 128Mi',
        '      limits:',
        '        memory: 256Mi',
      ].join('\n'),
      severity: {
        en: 'Low: missing requests and memory limits threaten availability (eviction order, noisy neighbours, memory exhaustion), not confidentiality; fix them as part of capacity work.',
        'zh-CN':
          '低：缺少 requests 和内存 limit 影响的是可用性（驱逐顺序、资源争抢、内存耗尽），而不是数据机密性；在容量规划时一并处理。',
      },
      references: [
        MANAGE_RESOURCES_REFERENCE,
        POD_LEVEL_RESOURCES_REFERENCE,
        NSA_RESOURCE_POLICIES_REFERENCE,
      ],
    },
  },
  check(context) {
    const podResources = atLeastMinor(context.version, POD_LEVEL_RESOURCES_MINOR)
      ? context.podSpec['resources']
      : undefined;
    const cpuLimit = context.options['requireCpuLimit'] === true;
    for (const node of context.containers) {
      if (!node.longRunning) continue;
      const missing = FIELDS.filter(
        ({ kind, resource, cpuLimit: isCpuLimit }) =>
          (cpuLimit || !isCpuLimit) &&
          !provides(node.container.resources, kind, resource) &&
          !provides(podResources, kind, resource),
      );
      if (missing.length === 0) continue;
      context.report({
        messageId: 'resourcesMissing',
        data: { container: node.name, missing: missing.map((f) => `${f.kind}.${f.resource}`).join(', ') },
        path: [...node.path, 'resources'],
        container: node,
      });
    }
  },
});
