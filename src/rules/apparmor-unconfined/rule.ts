import { securityContextSites } from '../../engine/traverse.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, PSS_REFERENCE, SECURITY_CONTEXT_REFERENCE } from '../references.ts';
import { APPARMOR_CONTAINER_ANNOTATION_PREFIX } from '../legacy-annotations.ts';

const ALLOWED_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

const APPARMOR_REFERENCE: Reference = {
  title: "Restrict a Container's Access to Resources with AppArmor",
  url: 'https://kubernetes.io/docs/tutorials/security/apparmor/',
};

/**
 * Upstream accepts an empty annotation value, `runtime/default` and anything starting with
 * `localhost/` (even `localhost/` alone); `unconfined` and every other value fail.
 */
function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/**
 * Upstream's check has a single version from v1.0 and reads both the `appArmorProfile` field and the
 * beta annotation, so every policy version fails both. A present `appArmorProfile` without a type
 * has the empty type, which is not allowed either.
 */
export const apparmorUnconfined = defineRule({
  meta: {
    id: 'apparmor-unconfined',
    subject: 'pod-spec',
    title: { en: 'AppArmor profile disabled or overridden', 'zh-CN': 'AppArmor 配置被禁用或覆盖' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'appArmorProfile' },
    messages: {
      podProfile: {
        en: 'The pod sets `securityContext.appArmorProfile.type` to "{{type}}": only RuntimeDefault or Localhost is allowed, so its containers may run without AppArmor confinement.',
        'zh-CN':
          'Pod 将 `securityContext.appArmorProfile.type` 设为 "{{type}}"：只允许 RuntimeDefault 或 Localhost，其容器可能在没有 AppArmor 约束的情况下运行。',
      },
      containerProfile: {
        en: 'Container "{{container}}" sets `securityContext.appArmorProfile.type` to "{{type}}": only RuntimeDefault or Localhost is allowed, so it may run without AppArmor confinement.',
        'zh-CN':
          '容器 "{{container}}" 将 `securityContext.appArmorProfile.type` 设为 "{{type}}"：只允许 RuntimeDefault 或 Localhost，该容器可能在没有 AppArmor 约束的情况下运行。',
      },
      annotation: {
        en: 'Annotation "{{annotation}}" sets the AppArmor profile of container "{{container}}" to "{{value}}": only runtime/default or localhost/<profile> is allowed.',
        'zh-CN':
          '注解 "{{annotation}}" 将容器 "{{container}}" 的 AppArmor 配置设为 "{{value}}"：只允许 runtime/default 或 localhost/<配置名>。',
      },
    },
    docs: {
      why: {
        en: 'AppArmor limits what a container process may do on the host (files, mounts, raw sockets); running unconfined removes that layer, so a compromised process meets only the remaining isolation.',
        'zh-CN':
          'AppArmor 限制容器进程在宿主机上可以执行的操作（文件、挂载、原始套接字等）；设为 unconfined 会去掉这一层防护，进程一旦被攻破，只剩下其余的隔离手段。',
      },
      fix: {
        en: 'Set `appArmorProfile.type` to `RuntimeDefault` (or `Localhost` with a `localhostProfile` loaded on the nodes), or remove it to get the runtime default. Remove AppArmor annotations with `unconfined` or other values; use `runtime/default` or `localhost/<profile>` if you must keep the annotation.',
        'zh-CN':
          '将 `appArmorProfile.type` 设为 `RuntimeDefault`（或设为 `Localhost` 并指定已加载到节点上的 `localhostProfile`），也可以删除该字段以使用运行时默认配置。删除值为 `unconfined` 或其他取值的 AppArmor 注解；若必须保留注解，请使用 `runtime/default` 或 `localhost/<配置名>`。',
      },
      snippet: [
        'securityContext:',
        '  appArmorProfile:',
        '    type: RuntimeDefault',
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      appArmorProfile:',
        '        type: RuntimeDefault',
      ].join('\n'),
      severity: {
        en: 'High: it removes a kernel confinement layer that the runtime applies by default, so a compromised process meets one barrier fewer on the way to the node; not a breakout by itself.',
        'zh-CN':
          '高：它去掉了运行时默认施加的一层内核约束，被攻破的进程通往节点时少了一道屏障；但它本身并不等于逃逸。',
      },
      references: [
        PSS_REFERENCE.baseline,
        APPARMOR_REFERENCE,
        SECURITY_CONTEXT_REFERENCE,
        NSA_HARDENING_REFERENCE,
      ],
    },
  },
  check(context) {
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      const profile = site.securityContext?.appArmorProfile;
      if (profile && !ALLOWED_TYPES.has(profile.type ?? '')) {
        context.report({
          messageId: site.container ? 'containerProfile' : 'podProfile',
          data: { ...site.data, type: profile.type ?? '' },
          path: [...site.path, 'appArmorProfile', 'type'],
          ...(site.container ? { container: site.container } : {}),
        });
      }
    }
    for (const [annotation, raw] of Object.entries(context.podMetadata.annotations ?? {})) {
      if (!annotation.startsWith(APPARMOR_CONTAINER_ANNOTATION_PREFIX)) continue;
      const value = raw === null || raw === undefined ? '' : String(raw);
      if (allowedAnnotationValue(value)) continue;
      const name = annotation.slice(APPARMOR_CONTAINER_ANNOTATION_PREFIX.length);
      const node = context.containers.find((candidate) => candidate.name === name);
      context.report({
        messageId: 'annotation',
        data: { annotation, container: name, value },
        path: [...context.podMetadataPath, 'annotations', annotation],
        ...(node ? { container: node } : {}),
      });
    }
  },
});
