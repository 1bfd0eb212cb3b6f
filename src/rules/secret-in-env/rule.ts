import { cisReference } from '../references.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import { isNonSecretValue, looksLikeCredentialName } from './credential-name.ts';

const SECRET_ENV_REFERENCE: Reference = {
  title: 'Secrets: using Secrets as environment variables',
  url: 'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables',
};
const SECRETS_GOOD_PRACTICES_REFERENCE: Reference = {
  title: 'Good practices for Kubernetes Secrets',
  url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
};
const CIS_REFERENCE = cisReference(
  '5.4.1: Prefer using Secrets as files over Secrets as environment variables',
);

export const secretInEnv = defineRule({
  meta: {
    id: 'secret-in-env',
    subject: 'pod-spec',
    title: { en: 'Credential in a literal environment variable', 'zh-CN': '环境变量中明文写入凭据' },
    category: 'hardening',
    severity: 'high',
    pss: null,
    messages: {
      literalCredential: {
        en: 'Container "{{container}}" sets environment variable "{{name}}", whose name suggests a credential, to a literal value in the manifest. Reference a Secret instead (`valueFrom.secretKeyRef`).',
        'zh-CN':
          '容器 "{{container}}" 的环境变量 "{{name}}" 从名称看是凭据，但其值以明文直接写在清单中。请改为引用 Secret（`valueFrom.secretKeyRef`）。',
      },
    },
    docs: {
      why: {
        en: 'A literal value is stored in plain text in the manifest, in Git, in the workload object in etcd and in every tool that can read it (`kubectl get -o yaml`, CI logs); anyone with read access to the workload has the credential, and rotating it means redeploying.',
        'zh-CN':
          '直接写在 `value` 中的值会以明文出现在清单、Git 仓库、etcd 中的工作负载对象以及所有能读取它的工具里（如 `kubectl get -o yaml`、CI 日志）；任何能读取该工作负载的人都能拿到凭据，而且轮换凭据必须重新部署。',
      },
      fix: {
        en: 'Move the value into a Secret (ideally managed by an external secret store) and reference it with `valueFrom.secretKeyRef`, or better, mount the Secret as a file so it does not leak through the process environment. Then rotate the exposed credential.',
        'zh-CN':
          '将该值移入 Secret（最好由外部密钥管理系统同步），并通过 `valueFrom.secretKeyRef` 引用；更好的做法是将 Secret 以文件形式挂载，避免通过进程环境变量泄露。之后务必轮换已经暴露的凭据。',
      },
      snippet: [
        'containers:',
        '  - name: app',
        '    env:',
        '      - name: DB_PASSWORD',
        '        valueFrom:',
        '          secretKeyRef:',
        '            name: db-credentials',
        '            key: password',
      ].join('\n'),
      references: [SECRET_ENV_REFERENCE, SECRETS_GOOD_PRACTICES_REFERENCE, CIS_REFERENCE],
    },
  },
  check(context) {
    for (const node of context.containers) {
      node.container.env?.forEach((variable, index) => {
        const value = variable.value;
        if (value === null || value === undefined || isNonSecretValue(value)) return;
        if (!looksLikeCredentialName(variable.name)) return;
        // Never put the value in the finding: reports are shared more widely than the manifest.
        context.report({
          messageId: 'literalCredential',
          data: { container: node.name, name: variable.name },
          path: [...node.path, 'env', index, 'value'],
          container: node,
        });
      });
    }
  },
});
