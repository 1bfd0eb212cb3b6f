import { defineRule, type Reference } from '../../engine/rule.ts';
import type { Container } from '../../workloads/schema.ts';
import { PSS_REFERENCE } from '../references.ts';

const PROBES_REFERENCE: Reference = {
  title: 'Configure Liveness, Readiness and Startup Probes',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
};

const LIFECYCLE_REFERENCE: Reference = {
  title: 'Container Lifecycle Hooks',
  url: 'https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/',
};

type HandlerKind = 'httpGet' | 'tcpSocket';
interface Handler {
  readonly httpGet?: { readonly host?: string | null | undefined } | null | undefined;
  readonly tcpSocket?: { readonly host?: string | null | undefined } | null | undefined;
}

const HANDLER_KINDS: readonly HandlerKind[] = ['httpGet', 'tcpSocket'];

/** Every probe and lifecycle handler of a container, with its path below the container. */
function handlersOf(container: Container): { path: readonly string[]; handler: Handler }[] {
  const found: { path: readonly string[]; handler: Handler }[] = [];
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const handler = container[probe];
    if (handler) found.push({ path: [probe], handler });
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    const handler = container.lifecycle?.[hook];
    if (handler) found.push({ path: ['lifecycle', hook], handler });
  }
  return found;
}

/**
 * Upstream's check (policy v1.34+) forbids any non-empty `host`, loopback addresses included: the
 * kubelet sends these requests from the node, so only the pod IP (the default) is allowed.
 */
export const probeHost = defineRule({
  meta: {
    id: 'probe-host',
    subject: 'pod-spec',
    title: {
      en: 'Probe or lifecycle handler targets another host',
      'zh-CN': '探针或生命周期钩子指向其他主机',
    },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'baseline', check: 'hostProbesAndHostLifecycle' },
    sinceMinor: 34,
    messages: {
      handlerHost: {
        en: 'Container "{{container}}" sets `{{handler}}.host` to "{{host}}": the kubelet would send this request from the node to that host instead of to the pod.',
        'zh-CN':
          '容器 "{{container}}" 将 `{{handler}}.host` 设为 "{{host}}"：kubelet 会从节点向该主机发起请求，而不是发往 Pod 本身。',
      },
    },
    docs: {
      why: {
        en: "The kubelet runs httpGet and tcpSocket probes and hooks from the node's network; a custom host lets a pod author make the node reach services the pod itself cannot, such as node-local endpoints or cloud metadata.",
        'zh-CN':
          'kubelet 从节点网络发起 httpGet 和 tcpSocket 探针及钩子请求；自定义 host 使 Pod 作者能够借助节点访问 Pod 本身无法访问的服务，例如节点本地端点或云元数据服务。',
      },
      fix: {
        en: 'Remove `host` (or leave it empty) so the request goes to the pod IP. To send a Host header for a virtual host, set `httpGet.httpHeaders` instead.',
        'zh-CN':
          '删除 `host`（或留空），使请求发往 Pod IP。如需为虚拟主机指定 Host 头，请改用 `httpGet.httpHeaders`。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    livenessProbe:',
        '      httpGet:',
        '        path: /healthz',
        '        port: 8080',
        '        httpHeaders:',
        '          - name: Host',
        '            value: app.example.com',
      ].join('\n'),
      severity: {
        en: 'Medium: the kubelet sends the probe from the node to any address the spec names, which lets a workload reach hosts its own network policy would not.',
        'zh-CN':
          '中：kubelet 会从节点向 spec 中指定的任意地址发起探测，使工作负载能够访问其网络策略本不允许访问的主机。',
      },
      references: [PSS_REFERENCE.baseline, PROBES_REFERENCE, LIFECYCLE_REFERENCE],
    },
  },
  check(context) {
    for (const node of context.containers) {
      for (const { path, handler } of handlersOf(node.container)) {
        for (const kind of HANDLER_KINDS) {
          const host = handler[kind]?.host;
          if (host === null || host === undefined || host === '') continue;
          context.report({
            messageId: 'handlerHost',
            data: { container: node.name, handler: [...path, kind].join('.'), host },
            path: [...node.path, ...path, kind, 'host'],
            container: node,
          });
        }
      }
    }
  },
});
