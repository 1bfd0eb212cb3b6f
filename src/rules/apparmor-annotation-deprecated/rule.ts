import { defineRule, type Reference } from '../../engine/rule.ts';
import { SECURITY_CONTEXT_REFERENCE } from '../references.ts';
import { APPARMOR_CONTAINER_ANNOTATION_PREFIX } from '../legacy-annotations.ts';
import type { FixDraft } from '../../engine/fix.ts';
import type { CheckContext, ContainerNode } from '../../engine/rule.ts';
import { fix, linuxPod, removeAnnotation, setContainerField } from '../fixes.ts';

const LOCALHOST_PREFIX = 'localhost/';

const APPARMOR_REFERENCE: Reference = {
  title: "Restrict a Container's Access to Resources with AppArmor",
  url: 'https://kubernetes.io/docs/tutorials/security/apparmor/',
};

/** The `appArmorProfile` field that does what the annotation value did. */
function replacementFor(value: string): string {
  if (value === 'unconfined') return 'type: Unconfined';
  if (value.startsWith(LOCALHOST_PREFIX))
    return `type: Localhost, localhostProfile: ${value.slice(LOCALHOST_PREFIX.length)}`;
  return 'type: RuntimeDefault';
}

export const apparmorAnnotationDeprecated = defineRule({
  meta: {
    id: 'apparmor-annotation-deprecated',
    subject: 'pod-spec',
    title: { en: 'Deprecated AppArmor annotation', 'zh-CN': '已弃用的 AppArmor 注解' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    // The appArmorProfile field is GA and the annotation deprecated from v1.30; before, the annotation is the only way.
    sinceMinor: 30,
    fix: {
      safety: 'safe',
      description: {
        en: "Deletes the annotation and sets the container's `securityContext.appArmorProfile` to the profile it named (`runtime/default` → RuntimeDefault, `localhost/<name>` → Localhost, `unconfined` → Unconfined): the container keeps the same profile (safe). A container that already sets the field only loses the annotation; an unknown value gets no fix.",
        'zh-CN':
          '删除该注解，并把容器的 `securityContext.appArmorProfile` 设置为注解所指的配置（`runtime/default` → RuntimeDefault，`localhost/<name>` → Localhost，`unconfined` → Unconfined）：容器的配置保持不变（safe）。已设置该字段的容器只删除注解；无法识别的注解值不提供修复。',
      },
    },
    messages: {
      deprecatedAnnotation: {
        en: 'Annotation "{{annotation}}: {{value}}" for container "{{container}}" is deprecated since Kubernetes v1.30: set the container\'s `securityContext.appArmorProfile` ({{replacement}}) instead.',
        'zh-CN':
          '容器 "{{container}}" 的注解 "{{annotation}}: {{value}}" 自 Kubernetes v1.30 起已弃用：请改为设置该容器的 `securityContext.appArmorProfile`（{{replacement}}）。',
      },
    },
    docs: {
      why: {
        en: 'AppArmor annotations are deprecated since v1.30, when the `appArmorProfile` field went GA; they will stop working in a future release, silently leaving the container without its profile.',
        'zh-CN':
          '自 v1.30 起 `appArmorProfile` 字段已 GA，AppArmor 注解随之弃用；在未来的版本中注解将不再生效，容器会在无任何提示的情况下失去其 AppArmor 配置。',
      },
      fix: {
        en: 'Delete the annotation and set `securityContext.appArmorProfile` on the container, or once on the pod when every container uses the same profile: `runtime/default` becomes `type: RuntimeDefault`, `localhost/<name>` becomes `type: Localhost` with `localhostProfile: <name>`.',
        'zh-CN':
          '删除该注解，改为在容器上设置 `securityContext.appArmorProfile`；若所有容器使用同一配置，也可在 Pod 级别统一设置：`runtime/default` 对应 `type: RuntimeDefault`，`localhost/<name>` 对应 `type: Localhost` 加 `localhostProfile: <name>`。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      appArmorProfile:',
        '        type: RuntimeDefault',
      ].join('\n'),
      severity: {
        en: 'Low: the annotation still takes effect today; it is a migration to make before a release drops it, not an exposure. Change it the next time the manifest is edited.',
        'zh-CN':
          '低：该注解目前仍然生效；这是在某个版本移除它之前需要完成的迁移，而不是已暴露的风险。下次修改清单时顺手改掉即可。',
      },
      references: [APPARMOR_REFERENCE, SECURITY_CONTEXT_REFERENCE],
    },
  },
  check(context) {
    const annotations = context.podMetadata.annotations;
    if (!annotations) return;
    for (const [annotation, raw] of Object.entries(annotations)) {
      if (!annotation.startsWith(APPARMOR_CONTAINER_ANNOTATION_PREFIX)) continue;
      const value = raw === null || raw === undefined ? '' : String(raw);
      const name = annotation.slice(APPARMOR_CONTAINER_ANNOTATION_PREFIX.length);
      const node = context.containers.find((candidate) => candidate.name === name);
      context.report({
        messageId: 'deprecatedAnnotation',
        data: { annotation, value, container: name, replacement: replacementFor(value.trim()) },
        path: [...context.podMetadataPath, 'annotations', annotation],
        ...(node ? { container: node } : {}),
        ...annotationFix(context, annotation, value.trim(), node),
      });
    }
  },
});

/** The field that keeps the container on the profile the annotation names; none for an unknown value. */
function profileFor(value: string): Record<string, string> | null {
  if (value === 'runtime/default') return { type: 'RuntimeDefault' };
  if (value === 'unconfined') return { type: 'Unconfined' };
  if (value.startsWith(LOCALHOST_PREFIX) && value.length > LOCALHOST_PREFIX.length)
    return { type: 'Localhost', localhostProfile: value.slice(LOCALHOST_PREFIX.length) };
  return null;
}

function annotationFix(
  context: CheckContext,
  annotation: string,
  value: string,
  node: ContainerNode | undefined,
): { fix?: FixDraft } {
  const remove = removeAnnotation(annotation);
  // An annotation for a container the pod does not have, or one whose field is set, does nothing today.
  if (!node || node.container.securityContext?.appArmorProfile != null) return { fix: fix('safe', remove) };
  const profile = profileFor(value);
  if (!profile || !linuxPod(context)) return {};
  return { fix: fix('safe', remove, setContainerField(node, 'appArmorProfile', profile)) };
}
