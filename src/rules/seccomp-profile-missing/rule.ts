import { atLeastMinor } from '../../engine/pss-version.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE, SECCOMP_REFERENCE, cisReference } from '../references.ts';
import { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from '../legacy-annotations.ts';
import { KUBELET_CONFIGURATION, type Facts } from '../../engine/subject.ts';
import { kubeletSeccompDefault } from '../kubelet-seccomp-default/rule.ts';
import { linuxPod, runtimeDefaultSeccomp } from '../fixes.ts';

const CIS_REFERENCE = cisReference(
  'v1.9, 5.7.2: Ensure that the seccomp profile is set to docker/default (RuntimeDefault) in your pod definitions',
);
const SECCOMP_DEFAULT_REFERENCE: Reference = {
  title: 'Enable RuntimeDefault as the default seccomp profile for all workloads (kubelet --seccomp-default)',
  url: 'https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads',
};

export const seccompProfileMissing = defineRule({
  meta: {
    id: 'seccomp-profile-missing',
    subject: 'pod-spec',
    title: { en: 'No seccomp profile set', 'zh-CN': '未设置 seccomp 配置' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'restricted', check: 'seccompProfile_restricted' },
    fix: {
      safety: 'safe',
      description: {
        en: 'Sets `securityContext.seccompProfile: {type: RuntimeDefault}` on the pod when neither the pod nor any container sets a profile (safe). When some container already sets one, sets RuntimeDefault on each container without one instead (review). None for Windows pods.',
        'zh-CN':
          '当 Pod 和所有容器都未设置 seccomp 配置时，在 Pod 上设置 `securityContext.seccompProfile: {type: RuntimeDefault}`（safe）。若已有容器设置了配置，则改为在每个未设置的容器上设置 RuntimeDefault（review）。Windows Pod 不提供修复。',
      },
    },
    messages: {
      missing: {
        en: 'Container "{{container}}" has no seccomp profile: neither it nor the pod sets `securityContext.seccompProfile.type` to RuntimeDefault or Localhost.',
        'zh-CN':
          '容器 "{{container}}" 没有 seccomp 配置：容器和 Pod 都未将 `securityContext.seccompProfile.type` 设置为 RuntimeDefault 或 Localhost。',
      },
      annotationOnly: {
        en: 'Container "{{container}}" relies on the legacy annotation "{{annotation}}", which no longer sets a seccomp profile: set `securityContext.seccompProfile.type` to RuntimeDefault or Localhost.',
        'zh-CN':
          '容器 "{{container}}" 依赖旧的注解 "{{annotation}}"，该注解已不再设置任何 seccomp 配置：请将 `securityContext.seccompProfile.type` 设置为 RuntimeDefault 或 Localhost。',
      },
    },
    docs: {
      why: {
        en: 'Unless the kubelet runs with `--seccomp-default`, a container without a seccomp profile runs Unconfined and can make every system call, including the rarely used ones through which most kernel exploits escape.',
        'zh-CN':
          '除非 kubelet 启用了 `--seccomp-default`，未设置 seccomp 配置的容器会以 Unconfined 方式运行，可以发起任何系统调用，包括大多数内核漏洞借以逃逸容器的那些冷门调用。',
      },
      fix: {
        en: 'Use `seccompProfile: {type: RuntimeDefault}` at pod level (or on every container); the legacy annotation `seccomp.security.alpha.kubernetes.io/pod: runtime/default` no longer works. When the runtime default blocks a call the app needs, trace the app (`strace -ff -o trace ./app`): `kube-patrol seccomp check --from-strace trace` says whether RuntimeDefault is enough, and `kube-patrol seccomp profile --from-strace trace --out-dir seccomp/` writes a `Localhost` profile with how to install it (docs/seccomp.md). The kubelet flag `--seccomp-default` (GA in v1.27) makes RuntimeDefault the node default, which protects pods that set nothing, but Pod Security still wants the field in the spec.',
        'zh-CN':
          '在 Pod 级（或每个容器上）使用 `seccompProfile: {type: RuntimeDefault}`；旧的注解 `seccomp.security.alpha.kubernetes.io/pod: runtime/default` 已不再生效。如果运行时默认配置拦截了应用必需的系统调用，先跟踪应用（`strace -ff -o trace ./app`）：`kube-patrol seccomp check --from-strace trace` 判断 RuntimeDefault 是否够用，`kube-patrol seccomp profile --from-strace trace --out-dir seccomp/` 生成 `Localhost` 配置及其安装说明（docs/seccomp.zh-CN.md）。kubelet 参数 `--seccomp-default`（v1.27 起 GA）可让 RuntimeDefault 成为节点默认配置，从而保护什么都没设置的 Pod，但 Pod 安全标准仍要求在 spec 中显式设置该字段。',
      },
      snippet: [
        'securityContext:',
        '  seccompProfile:',
        '    type: RuntimeDefault',
        'containers:',
        '  - name: app',
      ].join('\n'),
      severity: {
        en: "Medium: without RuntimeDefault (and unless the kubelet's seccompDefault is on) containers can make every system call, which widens the kernel attack surface.",
        'zh-CN':
          '中：不设置 RuntimeDefault 时（且 kubelet 未开启 seccompDefault），容器可以调用所有系统调用，扩大了内核攻击面。',
      },
      references: [PSS_REFERENCE.restricted, SECCOMP_REFERENCE, SECCOMP_DEFAULT_REFERENCE, CIS_REFERENCE],
    },
  },
  check(context) {
    // seccompProfile_restricted exempts Windows pods from v1.25.
    if (atLeastMinor(context.version, 25) && context.podSpec.os?.name === 'windows') return;
    // A pod-level profile covers containers that set none. If it is not RuntimeDefault/Localhost,
    // seccomp-unconfined reports it: the pod is then forbidden for that one field, so no finding here.
    if (context.podSpec.securityContext?.seccompProfile) return;
    const annotations = context.podMetadata.annotations ?? {};
    const evidence = effectiveProfile(context.facts);
    const linux = linuxPod(context);
    for (const node of context.containers) {
      if (node.container.securityContext?.seccompProfile) continue;
      const path = [...node.path, 'securityContext', 'seccompProfile', 'type'];
      const annotation = [`${SECCOMP_CONTAINER_ANNOTATION_PREFIX}${node.name}`, SECCOMP_POD_ANNOTATION].find(
        (key) => Object.hasOwn(annotations, key),
      );
      if (annotation) {
        context.report({
          messageId: 'annotationOnly',
          data: { container: node.name, annotation },
          path,
          container: node,
          ...evidence,
          ...(linux ? { fix: runtimeDefaultSeccomp(context, node) } : {}),
        });
      } else {
        context.report({
          messageId: 'missing',
          data: { container: node.name },
          path,
          container: node,
          ...evidence,
          ...(linux ? { fix: runtimeDefaultSeccomp(context, node) } : {}),
        });
      }
    }
  },
});

/**
 * What a container without a profile runs with, when the node inspection read the kubelet's default
 * (`--nodes`): the finding stays (PSS judges the spec), its evidence says what the pod gets at run time.
 */
function effectiveProfile(facts: Facts): { evidence?: readonly string[] } {
  if (facts.objects(KUBELET_CONFIGURATION).length === 0) return {};
  const { value, source } = kubeletSeccompDefault(facts, null);
  return {
    evidence: [
      value === 'true'
        ? `At run time: RuntimeDefault on nodes whose kubelet has seccompDefault: true (read from ${source}); Unconfined on any other node.`
        : `At run time: Unconfined, the kubelet's seccompDefault is off (read from ${source}).`,
    ],
  };
}
