import { definePowerRule } from '../rbac-rule.ts';

export const rbacCsrApprove = definePowerRule({
  id: 'rbac-csr-approve',
  title: {
    en: 'Binding grants approving certificate signing requests',
    'zh-CN': '绑定授予批准证书签名请求的权限',
  },
  power: {
    en: 'approve certificate signing requests for signers {{signers}}',
    'zh-CN': '批准签名者为 {{signers}} 的证书签名请求',
  },
  severity: {
    en: 'High: approving for a client-certificate signer issues credentials for any user or group, system:masters included. One step lower on a workload that mounts no token.',
    'zh-CN':
      '高：对客户端证书签名者执行批准可为任意用户或组签发凭据，包括 system:masters。未挂载令牌的工作负载降低一级。',
  },
  why: {
    en: 'Whoever can update the approval of CertificateSigningRequests and approve for a signer can have client certificates issued for any user or group that signer serves, system:masters included for kube-apiserver-client.',
    'zh-CN':
      '能够更新 CertificateSigningRequest 的批准状态并对某个签名者执行 approve 的主体，可以为该签名者所服务的任意用户或组签发客户端证书，对于 kube-apiserver-client 签名者甚至包括 system:masters。',
  },
  fix: {
    en: 'Grant `update` on `certificatesigningrequests/approval` and `approve` on `signers` only to the approving controller, and name the signers it approves for with `resourceNames`.',
    'zh-CN':
      '仅向负责审批的控制器授予 `certificatesigningrequests/approval` 的 `update` 与 `signers` 的 `approve` 权限，并用 `resourceNames` 列出它可审批的签名者。',
  },
  snippet: [
    'rules:',
    '  - apiGroups: [certificates.k8s.io]',
    '    resources: [signers]',
    '    resourceNames: [example.com/my-signer]',
    '    verbs: [approve]',
  ],
  cis: '5.1.11: Minimize access to the approval sub-resource of certificatesigningrequests objects',
  clusterOnly: true,
  narrowedByNames: false,
});
