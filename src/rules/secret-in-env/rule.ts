import { cisReference } from '../references.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';
import { looksLikeCredentialName } from './credential-name.ts';
import { classifyCredentialValue } from './credential-value.ts';

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
      placeholderCredential: {
        en: 'Container "{{container}}" sets environment variable "{{name}}", whose name suggests a credential, to a literal that looks like a placeholder or a bare number. If it is deployed as is, it is a default anyone can guess; the real value belongs in a Secret (`valueFrom.secretKeyRef`), not in this spot of the manifest.',
        'zh-CN':
          '容器 "{{container}}" 的环境变量 "{{name}}" 从名称看是凭据，其明文值看起来是占位符或单纯的数字。如果按原样部署，它就是任何人都能猜到的默认凭据；真实的值应放在 Secret 中（`valueFrom.secretKeyRef`），而不是写在清单的这个位置。',
      },
    },
    docs: {
      why: {
        en: 'A literal value is stored in plain text in the manifest, in Git, in the workload object in etcd and in every tool that can read it (`kubectl get -o yaml`, CI logs); anyone with read access to the workload has the credential, and rotating it means redeploying.',
        'zh-CN':
          '直接写在 `value` 中的值会以明文出现在清单、Git 仓库、etcd 中的工作负载对象以及所有能读取它的工具里（如 `kubectl get -o yaml`、CI 日志）；任何能读取该工作负载的人都能拿到凭据，而且轮换凭据必须重新部署。',
      },
      fix: {
        en: 'Move the value into a Secret (ideally managed by an external secret store) and reference it with `valueFrom.secretKeyRef`, or better, mount the Secret as a file so it does not leak through the process environment. Then rotate the exposed credential. The value decides the finding: no finding for an empty value, only `$(VAR)` references, a switch (true/false, yes/no, on/off), a file path, or a URL without userinfo and without a credential-named query parameter; low for a placeholder (`changeme`, `password`, `<token>`, `${TOKEN}`, `{{ … }}`, `xxxx`, `INSERT_…`, `YOUR_…`, `…_HERE`) or a bare number; high for anything else, including URLs with a password or token in them. The value itself is never copied into the report.',
        'zh-CN':
          '将该值移入 Secret（最好由外部密钥管理系统同步），并通过 `valueFrom.secretKeyRef` 引用；更好的做法是将 Secret 以文件形式挂载，避免通过进程环境变量泄露。之后务必轮换已经暴露的凭据。是否报告取决于变量的值：值为空、仅包含 `$(VAR)` 引用、是开关值（true/false、yes/no、on/off）、文件路径，或不含用户信息且查询参数中没有凭据类参数的 URL 时，不报告；值为占位符（`changeme`、`password`、`<token>`、`${TOKEN}`、`{{ … }}`、`xxxx`、`INSERT_…`、`YOUR_…`、`…_HERE`）或单纯的数字时，报告为低；其他情况（包括含有密码或令牌的 URL）报告为高。报告中绝不会包含该值本身。',
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
      severity: {
        en: 'High for a real-looking literal: the credential is already exposed to everyone who can read the manifest or the object, so move it and rotate it now; low for a placeholder value, which is a pattern to fix before a real value is written there.',
        'zh-CN':
          '看起来真实的明文值为高：凭据已经暴露给所有能读取清单或该对象的人，应立即迁移并轮换；占位值为低，它表明此处即将写入真实凭据，应在此之前改掉这种写法。',
      },
      references: [SECRET_ENV_REFERENCE, SECRETS_GOOD_PRACTICES_REFERENCE, CIS_REFERENCE],
    },
  },
  check(context) {
    for (const node of context.containers) {
      node.container.env?.forEach((variable, index) => {
        const value = variable.value;
        if (value === null || value === undefined) return;
        if (!looksLikeCredentialName(variable.name)) return;
        const kind = classifyCredentialValue(value);
        if (kind === 'none') return;
        // Never put the value in the finding: reports are shared more widely than the manifest.
        context.report({
          messageId: kind === 'literal' ? 'literalCredential' : 'placeholderCredential',
          data: { container: node.name, name: variable.name },
          path: [...node.path, 'env', index, 'value'],
          container: node,
          ...(kind === 'placeholder' ? { severity: 'low' as const } : {}),
        });
      });
    }
  },
});
