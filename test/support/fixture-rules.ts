/**
 * Small rules for report tests. They are defined here, not taken from src/rules, so that golden files
 * do not change whenever a real rule's wording does; `privileged` is the one real rule they run with.
 */
import { defineRule } from '../../src/engine/rule.ts';
import { containerSecurityContext } from '../../src/engine/fix.ts';

export const fixtureHostNetwork = defineRule({
  meta: {
    id: 'fixture-host-network',
    subject: 'pod-spec',
    title: { en: 'Pod uses the host network', 'zh-CN': 'Pod 使用宿主机网络' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'hostNamespaces' },
    messages: {
      hostNetwork: { en: 'The pod sets `hostNetwork: true`.', 'zh-CN': 'Pod 设置了 `hostNetwork: true`。' },
    },
    docs: {
      why: { en: 'The pod sees all the traffic of the node.', 'zh-CN': 'Pod 可以看到节点上的全部网络流量。' },
      fix: { en: 'Remove `hostNetwork: true`.', 'zh-CN': '删除 `hostNetwork: true`。' },
      snippet: 'hostNetwork: false',
      references: [
        {
          title: 'Pod Security Standards: Baseline',
          url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
        },
      ],
    },
  },
  check(context) {
    if (context.podSpec.hostNetwork === true)
      context.report({ messageId: 'hostNetwork', path: [...context.podSpecPath, 'hostNetwork'] });
  },
});

export const fixtureReadOnlyRootFs = defineRule({
  meta: {
    id: 'fixture-read-only-root-fs',
    subject: 'pod-spec',
    title: { en: 'Writable root filesystem', 'zh-CN': '根文件系统可写' },
    category: 'hardening',
    severity: 'medium',
    pss: null,
    fix: {
      safety: 'review',
      description: {
        en: 'Sets `readOnlyRootFilesystem: true`.',
        'zh-CN': '设置 `readOnlyRootFilesystem: true`。',
      },
    },
    messages: {
      writable: {
        en: 'Container "{{container}}" can write to its root filesystem.',
        'zh-CN': '容器 "{{container}}" 可以写入其根文件系统。',
      },
    },
    docs: {
      why: {
        en: 'An attacker can drop tools into a writable image.',
        'zh-CN': '攻击者可以向可写的镜像文件系统中写入工具。',
      },
      fix: { en: 'Set `readOnlyRootFilesystem: true`.', 'zh-CN': '设置 `readOnlyRootFilesystem: true`。' },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      readOnlyRootFilesystem: true',
      ].join('\n'),
      references: [],
    },
  },
  check(context) {
    for (const node of context.containers) {
      if (node.container.securityContext?.readOnlyRootFilesystem !== true) {
        context.report({
          messageId: 'writable',
          data: { container: node.name },
          path: [...node.path, 'securityContext', 'readOnlyRootFilesystem'],
          container: node,
          fix: {
            safety: 'review',
            operations: [
              { op: 'set', path: [...containerSecurityContext(node), 'readOnlyRootFilesystem'], value: true },
            ],
          },
        });
      }
    }
  },
});

export const fixtureMutableImage = defineRule({
  meta: {
    id: 'fixture-mutable-image',
    subject: 'pod-spec',
    title: { en: 'Mutable image tag', 'zh-CN': '镜像标签可变' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: {
      mutable: {
        en: 'Container "{{container}}" runs the mutable image {{image}}.',
        'zh-CN': '容器 "{{container}}" 使用了可变的镜像 {{image}}。',
      },
    },
    docs: {
      why: {
        en: 'The same tag can point at another image tomorrow.',
        'zh-CN': '同一个标签明天可能指向另一个镜像。',
      },
      fix: { en: 'Pin the image by digest.', 'zh-CN': '使用摘要（digest）固定镜像版本。' },
      snippet: ['containers:', '  - name: app', '    image: registry.example.com/app@sha256:…'].join('\n'),
      references: [{ title: 'Images', url: 'https://kubernetes.io/docs/concepts/containers/images/' }],
    },
  },
  check(context) {
    for (const node of context.containers) {
      const image = node.container.image ?? '';
      if (!image.includes('@'))
        context.report({
          messageId: 'mutable',
          data: { container: node.name, image },
          path: [...node.path, 'image'],
          container: node,
        });
    }
  },
});
