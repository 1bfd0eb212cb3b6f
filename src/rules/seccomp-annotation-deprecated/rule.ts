import { defineRule, type Reference } from '../../engine/rule.ts';
import { SECCOMP_REFERENCE } from '../references.ts';
import { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from '../legacy-annotations.ts';
import type { FixDraft } from '../../engine/fix.ts';
import type { CheckContext, ContainerNode } from '../../engine/rule.ts';
import {
  anySeccompProfile,
  fix,
  linuxPod,
  removeAnnotation,
  setContainerField,
  setPodField,
} from '../fixes.ts';

const ANNOTATIONS_REFERENCE: Reference = {
  title: 'Well-Known Labels, Annotations and Taints: seccomp.security.alpha.kubernetes.io/pod (deprecated)',
  url: 'https://kubernetes.io/docs/reference/labels-annotations-taints/#seccomp-security-alpha-kubernetes-io-pod',
};
const SECCOMP_DEFAULT_REFERENCE: Reference = {
  title: 'Enable RuntimeDefault as the default seccomp profile for all workloads (kubelet --seccomp-default)',
  url: 'https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads',
};

export const seccompAnnotationDeprecated = defineRule({
  meta: {
    id: 'seccomp-annotation-deprecated',
    subject: 'pod-spec',
    title: { en: 'Deprecated seccomp annotation', 'zh-CN': '已弃用的 seccomp 注解' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    fix: {
      safety: 'safe',
      description: {
        en: 'Deletes the annotation, which has no effect any more (safe). When it names `runtime/default` and the pod or container it is about has no `seccompProfile`, also sets `type: RuntimeDefault` there: safe when no container sets a profile, review otherwise; `localhost/<name>` becomes `type: Localhost` with `localhostProfile: <name>` (review: the profile must exist on the nodes). `unconfined` is only deleted.',
        'zh-CN':
          '删除该注解（它已不再生效，safe）。若注解值为 `runtime/default`，且其所指的 Pod 或容器未设置 `seccompProfile`，同时在该处设置 `type: RuntimeDefault`：没有容器设置配置时为 safe，否则为 review；`localhost/<name>` 改为 `type: Localhost` 加 `localhostProfile: <name>`（review：节点上必须存在该配置）。`unconfined` 只删除注解。',
      },
    },
    messages: {
      podAnnotation: {
        en: 'Pod annotation "{{annotation}}: {{value}}" has had no effect since Kubernetes v1.27: the pod does not get this seccomp profile from it. Set `securityContext.seccompProfile` instead.',
        'zh-CN':
          'Pod 注解 "{{annotation}}: {{value}}" 自 Kubernetes v1.27 起已完全失效，Pod 并不会因此获得该 seccomp 配置。请改用 `securityContext.seccompProfile`。',
      },
      containerAnnotation: {
        en: 'Annotation "{{annotation}}: {{value}}" for container "{{container}}" has had no effect since Kubernetes v1.27: the container does not get this seccomp profile from it. Set the container\'s `securityContext.seccompProfile` instead.',
        'zh-CN':
          '容器 "{{container}}" 的注解 "{{annotation}}: {{value}}" 自 Kubernetes v1.27 起已完全失效，容器并不会因此获得该 seccomp 配置。请改用该容器的 `securityContext.seccompProfile`。',
      },
    },
    docs: {
      why: {
        en: 'The seccomp annotations were deprecated in v1.19; kubelets stopped reading them in v1.25 and the API server stopped copying them into `securityContext` in v1.27, so `seccomp.security.alpha.kubernetes.io/pod: runtime/default` no longer confines anything and the pod may run without seccomp while its manifest suggests otherwise. Pod Security Admission ignores them too.',
        'zh-CN':
          'seccomp 注解在 v1.19 中已被弃用；kubelet 自 v1.25 起不再读取，API Server 自 v1.27 起也不再将其转换为 `securityContext` 字段。因此 `seccomp.security.alpha.kubernetes.io/pod: runtime/default` 已不再生效，Pod 可能在没有任何 seccomp 限制的情况下运行，而清单看起来却像已经加固过。Pod 安全准入（PSA）同样忽略这些注解。',
      },
      fix: {
        en: 'Delete the annotation and set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with `localhostProfile` for a custom profile; per container if only some need it). An `unconfined` annotation should not become `type: Unconfined`: find out why the app needs it. On the nodes, the kubelet flag `--seccomp-default` (`seccompDefault: true` in the kubelet config, GA since v1.27) makes RuntimeDefault the default for every workload.',
        'zh-CN':
          '删除该注解，在 Pod 上设置 `securityContext.seccompProfile.type: RuntimeDefault`（如需自定义配置，使用 `Localhost` 并指定 `localhostProfile`；若只有部分容器需要，可在容器级别设置）。原本为 `unconfined` 的注解不要直接改成 `type: Unconfined`，应先弄清应用为何需要关闭 seccomp。在节点侧，kubelet 参数 `--seccomp-default`（即 kubelet 配置中的 `seccompDefault: true`，自 v1.27 起 GA）可让 RuntimeDefault 成为所有工作负载的默认配置。',
      },
      snippet: [
        'securityContext:',
        '  seccompProfile:',
        '    type: RuntimeDefault',
        'containers:',
        '  - name: app',
      ].join('\n'),
      severity: {
        en: "Low: the annotation is ignored, so the pod runs with whatever its securityContext says; medium when the value is unconfined, because then the manifest's intent is to run without a syscall filter.",
        'zh-CN':
          '低：该注解已被忽略，Pod 实际使用 securityContext 中的设置；当值为 unconfined 时为中，因为这说明清单本意就是不使用系统调用过滤。',
      },
      references: [SECCOMP_REFERENCE, ANNOTATIONS_REFERENCE, SECCOMP_DEFAULT_REFERENCE],
    },
  },
  check(context) {
    const annotations = context.podMetadata.annotations;
    if (!annotations) return;
    for (const [annotation, raw] of Object.entries(annotations)) {
      const value = raw === null || raw === undefined ? '' : String(raw);
      const severity = value.trim() === 'unconfined' ? 'medium' : undefined;
      const path = [...context.podMetadataPath, 'annotations', annotation];
      if (annotation === SECCOMP_POD_ANNOTATION) {
        context.report({
          messageId: 'podAnnotation',
          data: { annotation, value },
          path,
          ...(severity ? { severity } : {}),
          fix: annotationFix(context, annotation, value, null),
        });
      } else if (annotation.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX)) {
        const name = annotation.slice(SECCOMP_CONTAINER_ANNOTATION_PREFIX.length);
        const node = context.containers.find((candidate) => candidate.name === name);
        context.report({
          messageId: 'containerAnnotation',
          data: { annotation, value, container: name },
          path,
          ...(node ? { container: node } : {}),
          ...(severity ? { severity } : {}),
          fix: annotationFix(context, annotation, value, node),
        });
      }
    }
  },
});

const LOCALHOST_PREFIX = 'localhost/';

/**
 * Deleting the annotation changes nothing at run time (it has had no effect since v1.27); the field that
 * does what it meant is added where nothing is set yet, for the pod (container: null) or one container.
 */
function annotationFix(
  context: CheckContext,
  annotation: string,
  value: string,
  container: ContainerNode | null | undefined,
): FixDraft {
  const remove = removeAnnotation(annotation);
  const trimmed = value.trim();
  const current =
    container === null
      ? context.podSpec.securityContext?.seccompProfile
      : container?.container.securityContext?.seccompProfile;
  // A container annotation for a container the pod does not have: nothing to set.
  if (container === undefined || current != null || !linuxPod(context)) return fix('safe', remove);
  const set = (profile: Record<string, string>) =>
    container === null
      ? setPodField('seccompProfile', profile)
      : setContainerField(container, 'seccompProfile', profile);
  if (trimmed === 'runtime/default' || trimmed === 'docker/default')
    return fix(anySeccompProfile(context) ? 'review' : 'safe', remove, set({ type: 'RuntimeDefault' }));
  if (trimmed.startsWith(LOCALHOST_PREFIX) && trimmed.length > LOCALHOST_PREFIX.length)
    return fix(
      'review',
      remove,
      set({ type: 'Localhost', localhostProfile: trimmed.slice(LOCALHOST_PREFIX.length) }),
    );
  return fix('safe', remove);
}
