import { defineRule, type Reference } from '../../engine/rule.ts';
import { WORKLOAD_KINDS } from '../../workloads/kinds.ts';

const PROBES_REFERENCE: Reference = {
  title: 'Configure Liveness, Readiness and Startup Probes',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
};
const PROBE_CONCEPTS_REFERENCE: Reference = {
  title: 'Liveness, Readiness, and Startup Probes',
  url: 'https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/',
};

/** Kinds whose pods run to completion (or are not managed by a controller): probes matter little there. */
const NOT_LONG_RUNNING = new Set(WORKLOAD_KINDS.filter((k) => !k.longRunning).map((k) => k.kind));

export const probesMissing = defineRule({
  meta: {
    id: 'probes-missing',
    subject: 'pod-spec',
    title: { en: 'Liveness or readiness probe missing', 'zh-CN': '缺少存活探针或就绪探针' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: {
      livenessMissing: {
        en: 'Container "{{container}}" has no liveness probe: a hung process is never restarted.',
        'zh-CN': '容器 "{{container}}" 未配置存活探针（livenessProbe），进程假死时不会被自动重启。',
      },
      readinessMissing: {
        en: 'Container "{{container}}" has no readiness probe: it receives traffic before it is ready and while it is failing.',
        'zh-CN':
          '容器 "{{container}}" 未配置就绪探针（readinessProbe），在尚未就绪或运行异常时仍会接收流量。',
      },
    },
    docs: {
      why: {
        en: 'Without a readiness probe a Service sends traffic to pods that are starting or broken, and rollouts proceed past a bad version; without a liveness probe a deadlocked container keeps its place forever.',
        'zh-CN':
          '没有就绪探针时，Service 会把流量转发给正在启动或已经异常的 Pod，滚动更新也会在新版本有问题时继续推进；没有存活探针时，死锁的容器会一直占着位置不被重启。',
      },
      fix: {
        en: 'Add a `readinessProbe` that checks the app can serve, and a `livenessProbe` that only checks the process is alive (not its dependencies); use a `startupProbe` for slow starts rather than a long `initialDelaySeconds`. Only long-running containers of long-running workloads are checked: app containers and sidecars (init containers with `restartPolicy: Always`), not init containers that run to completion or ephemeral containers, nor Jobs, CronJobs or bare Pods.',
        'zh-CN':
          '添加 `readinessProbe`，用于判断应用能否正常提供服务；添加 `livenessProbe`，只检查进程本身是否存活（不要检查其依赖）；启动较慢的应用请使用 `startupProbe`，而不是设置很长的 `initialDelaySeconds`。仅检查长期运行工作负载中长期运行的容器：应用容器和边车容器（`restartPolicy: Always` 的 Init 容器）；不检查运行至结束的 Init 容器、临时容器，也不检查 Job、CronJob 和裸 Pod。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    readinessProbe:',
        '      httpGet:',
        '        path: /ready',
        '        port: 8080',
        '    livenessProbe:',
        '      httpGet:',
        '        path: /healthz',
        '        port: 8080',
      ].join('\n'),
      severity: {
        en: 'Low: a matter of availability and safe rollouts, not of security; add probes when working on the workload.',
        'zh-CN': '低：这关系到可用性和安全发布，而非安全防护；在维护该工作负载时补上探针即可。',
      },
      references: [PROBES_REFERENCE, PROBE_CONCEPTS_REFERENCE],
    },
  },
  check(context) {
    if (NOT_LONG_RUNNING.has(context.workload.kind)) return;
    for (const node of context.containers) {
      if (!node.longRunning) continue;
      // A startup probe only delays the other two; it does not replace either.
      if (!node.container.livenessProbe) {
        context.report({
          messageId: 'livenessMissing',
          data: { container: node.name },
          path: [...node.path, 'livenessProbe'],
          container: node,
        });
      }
      if (!node.container.readinessProbe) {
        context.report({
          messageId: 'readinessMissing',
          data: { container: node.name },
          path: [...node.path, 'readinessProbe'],
          container: node,
        });
      }
    }
  },
});
