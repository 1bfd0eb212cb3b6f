import { defineRule, type Reference } from '../../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, SECURITY_CONTEXT_REFERENCE } from '../references.ts';
import { fix, setContainerField } from '../fixes.ts';

const EMPTY_DIR_REFERENCE: Reference = {
  title: 'Volumes: emptyDir',
  url: 'https://kubernetes.io/docs/concepts/storage/volumes/#emptydir',
};

export const readOnlyRootFs = defineRule({
  meta: {
    id: 'read-only-root-fs',
    subject: 'pod-spec',
    title: { en: 'Writable root filesystem', 'zh-CN': '根文件系统可写' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    fix: {
      safety: 'review',
      description: {
        en: 'Sets `readOnlyRootFilesystem: true` on the container (review: an app that writes outside its volumes fails; mount an `emptyDir` where it writes).',
        'zh-CN':
          '在容器上设置 `readOnlyRootFilesystem: true`（review：在卷之外写文件的应用会失败；请在其写入的路径挂载 `emptyDir`）。',
      },
    },
    messages: {
      notSet: {
        en: 'Container "{{container}}" does not set `readOnlyRootFilesystem: true`: its root filesystem is writable.',
        'zh-CN': '容器 "{{container}}" 未设置 `readOnlyRootFilesystem: true`，其根文件系统可写。',
      },
      setFalse: {
        en: 'Container "{{container}}" sets `readOnlyRootFilesystem: false`: its root filesystem is writable.',
        'zh-CN': '容器 "{{container}}" 显式设置了 `readOnlyRootFilesystem: false`，其根文件系统可写。',
      },
    },
    docs: {
      why: {
        en: 'A writable root filesystem lets an attacker who gets code execution drop tools, alter binaries or persist changes for the life of the container; a read-only one makes the image immutable at run time.',
        'zh-CN':
          '根文件系统可写时，攻击者一旦在容器内执行代码，就能写入工具、篡改二进制文件，并在容器生命周期内持久化修改；使用只读根文件系统可保证镜像内容在运行时不可变。',
      },
      fix: {
        en: 'Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an `emptyDir` volume at each path the app writes to (e.g. `/tmp`, caches). Windows pods cannot use this field and are not checked.',
        'zh-CN':
          '为每个容器设置 `securityContext.readOnlyRootFilesystem: true`，并在应用需要写入的目录（如 `/tmp`、缓存目录）挂载 `emptyDir` 卷。Windows Pod 不支持该字段，不做检查。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    securityContext:',
        '      readOnlyRootFilesystem: true',
        '    volumeMounts:',
        '      - name: tmp',
        '        mountPath: /tmp',
        'volumes:',
        '  - name: tmp',
        '    emptyDir: {}',
      ].join('\n'),
      severity: {
        en: 'Low: a writable root filesystem makes tampering and persistence easier after a compromise, but is no way in by itself; fix it when touching the workload.',
        'zh-CN':
          '低：可写的根文件系统会让入侵后的篡改和驻留更容易，但它本身不是入口；在修改该工作负载时处理即可。',
      },
      references: [SECURITY_CONTEXT_REFERENCE, EMPTY_DIR_REFERENCE, NSA_HARDENING_REFERENCE],
    },
  },
  check(context) {
    // The API rejects readOnlyRootFilesystem on Windows pods: there is nothing to fix there.
    if (context.podSpec.os?.name === 'windows') return;
    for (const node of context.containers) {
      const value = node.container.securityContext?.readOnlyRootFilesystem;
      if (value === true) continue;
      context.report({
        messageId: value === false ? 'setFalse' : 'notSet',
        data: { container: node.name },
        path: [...node.path, 'securityContext', 'readOnlyRootFilesystem'],
        container: node,
        fix: fix('review', setContainerField(node, 'readOnlyRootFilesystem', true)),
      });
    }
  },
});
