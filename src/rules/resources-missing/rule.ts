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
const FIELDS: readonly { kind: Kind; resource: 'cpu' | 'memory' }[] = [
  { kind: 'requests', resource: 'cpu' },
  { kind: 'requests', resource: 'memory' },
  { kind: 'limits', resource: 'cpu' },
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
    messages: {
      requestMissing: {
        en: 'Container "{{container}}" sets no {{resource}} request (`resources.requests.{{resource}}`).',
        'zh-CN': '容器 "{{container}}" 未设置 {{resource}} 请求值（`resources.requests.{{resource}}`）。',
      },
      limitMissing: {
        en: 'Container "{{container}}" sets no {{resource}} limit (`resources.limits.{{resource}}`).',
        'zh-CN': '容器 "{{container}}" 未设置 {{resource}} 限制值（`resources.limits.{{resource}}`）。',
      },
    },
    docs: {
      why: {
        en: "Without requests the scheduler cannot place the pod sensibly and it is the first to be evicted under pressure; without limits one container can exhaust the node's CPU or memory and starve its neighbours, a cheap denial of service.",
        'zh-CN':
          '不设置 requests，调度器无法合理安排 Pod，资源紧张时它也会最先被驱逐；不设置 limits，单个容器就可能耗尽节点的 CPU 或内存、拖垮同节点上的其他工作负载，造成低成本的拒绝服务。',
      },
      fix: {
        en: 'Set `resources.requests` and `resources.limits` for cpu and memory on every app container, sized from observed usage. A limit alone also sets the request to the same value. From v1.34 the pod-level `spec.resources` can cover all containers at once. Init and ephemeral containers are not checked.',
        'zh-CN':
          '根据实际用量，为每个应用容器设置 cpu 和内存的 `resources.requests` 与 `resources.limits`。只设置 limit 时，request 会被默认设为相同的值。自 v1.34 起也可以使用 Pod 级别的 `spec.resources` 统一约束所有容器。Init 容器和临时容器不做检查。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    resources:',
        '      requests:',
        '        cpu: 100m',
        '        memory: 128Mi',
        '      limits:',
        '        cpu: 500m',
        '        memory: 256Mi',
      ].join('\n'),
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
    for (const node of context.containers) {
      if (node.role !== 'containers') continue;
      for (const { kind, resource } of FIELDS) {
        if (provides(node.container.resources, kind, resource) || provides(podResources, kind, resource))
          continue;
        context.report({
          messageId: kind === 'requests' ? 'requestMissing' : 'limitMissing',
          data: { container: node.name, resource },
          path: [...node.path, 'resources', kind, resource],
          container: node,
        });
      }
    }
  },
});
