import type { Localized } from '../engine/i18n.ts';
import type { BindingObject, PolicyRule, Subject } from './model.ts';
import type { RbacRuleId } from './powers.ts';
import type { ResolvedRole } from './rbac-index.ts';
import { sameRule } from './rule-match.ts';

/**
 * The default exemption list: bindings Kubernetes itself creates. Their findings stay in the report,
 * marked exempt with the reason below, and only while the binding is as shipped: same name, role
 * reference, and no subject beyond the shipped ones (a subject added by someone makes it an ordinary
 * binding again). For the public-info binding to anonymous users, the role's rules must also be the
 * shipped ones.
 *
 * The bootstrap list is the set of bindings kube-apiserver v1.37 reconciles at start (package
 * k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy; listed from the test control plane).
 * Subjects are written `U:<user>`, `G:<group>`, `S:<namespace>/<name>`.
 */
/** `<kind> [<namespace>/]<name> <roleRef kind> <roleRef name> <subject>...`, as kube-apiserver creates it. */
type Row = string;

const BOOTSTRAP: readonly Row[] = [
  'ClusterRoleBinding cluster-admin ClusterRole cluster-admin G:system:masters',
  'ClusterRoleBinding system:basic-user ClusterRole system:basic-user G:system:authenticated',
  'ClusterRoleBinding system:cluster-trust-bundle-discovery ClusterRole system:cluster-trust-bundle-discovery G:system:serviceaccounts',
  'ClusterRoleBinding system:controller:attachdetach-controller ClusterRole system:controller:attachdetach-controller S:kube-system/attachdetach-controller',
  'ClusterRoleBinding system:controller:certificate-controller ClusterRole system:controller:certificate-controller S:kube-system/certificate-controller',
  'ClusterRoleBinding system:controller:clusterrole-aggregation-controller ClusterRole system:controller:clusterrole-aggregation-controller S:kube-system/clusterrole-aggregation-controller',
  'ClusterRoleBinding system:controller:cronjob-controller ClusterRole system:controller:cronjob-controller S:kube-system/cronjob-controller',
  'ClusterRoleBinding system:controller:daemon-set-controller ClusterRole system:controller:daemon-set-controller S:kube-system/daemon-set-controller',
  'ClusterRoleBinding system:controller:deployment-controller ClusterRole system:controller:deployment-controller S:kube-system/deployment-controller',
  'ClusterRoleBinding system:controller:device-taint-eviction-controller ClusterRole system:controller:device-taint-eviction-controller S:kube-system/device-taint-eviction-controller',
  'ClusterRoleBinding system:controller:disruption-controller ClusterRole system:controller:disruption-controller S:kube-system/disruption-controller',
  'ClusterRoleBinding system:controller:endpoint-controller ClusterRole system:controller:endpoint-controller S:kube-system/endpoint-controller',
  'ClusterRoleBinding system:controller:endpointslice-controller ClusterRole system:controller:endpointslice-controller S:kube-system/endpointslice-controller',
  'ClusterRoleBinding system:controller:endpointslicemirroring-controller ClusterRole system:controller:endpointslicemirroring-controller S:kube-system/endpointslicemirroring-controller',
  'ClusterRoleBinding system:controller:ephemeral-volume-controller ClusterRole system:controller:ephemeral-volume-controller S:kube-system/ephemeral-volume-controller',
  'ClusterRoleBinding system:controller:expand-controller ClusterRole system:controller:expand-controller S:kube-system/expand-controller',
  'ClusterRoleBinding system:controller:generic-garbage-collector ClusterRole system:controller:generic-garbage-collector S:kube-system/generic-garbage-collector',
  'ClusterRoleBinding system:controller:horizontal-pod-autoscaler ClusterRole system:controller:horizontal-pod-autoscaler S:kube-system/horizontal-pod-autoscaler',
  'ClusterRoleBinding system:controller:job-controller ClusterRole system:controller:job-controller S:kube-system/job-controller',
  'ClusterRoleBinding system:controller:kube-apiserver-serving-clustertrustbundle-publisher ClusterRole system:controller:kube-apiserver-serving-clustertrustbundle-publisher S:kube-system/kube-apiserver-serving-clustertrustbundle-publisher',
  'ClusterRoleBinding system:controller:legacy-service-account-token-cleaner ClusterRole system:controller:legacy-service-account-token-cleaner S:kube-system/legacy-service-account-token-cleaner',
  'ClusterRoleBinding system:controller:namespace-controller ClusterRole system:controller:namespace-controller S:kube-system/namespace-controller',
  'ClusterRoleBinding system:controller:node-controller ClusterRole system:controller:node-controller S:kube-system/node-controller',
  'ClusterRoleBinding system:controller:persistent-volume-binder ClusterRole system:controller:persistent-volume-binder S:kube-system/persistent-volume-binder',
  'ClusterRoleBinding system:controller:pod-garbage-collector ClusterRole system:controller:pod-garbage-collector S:kube-system/pod-garbage-collector',
  'ClusterRoleBinding system:controller:podcertificaterequestcleaner ClusterRole system:controller:podcertificaterequestcleaner S:kube-system/podcertificaterequestcleaner',
  'ClusterRoleBinding system:controller:pv-protection-controller ClusterRole system:controller:pv-protection-controller S:kube-system/pv-protection-controller',
  'ClusterRoleBinding system:controller:pvc-protection-controller ClusterRole system:controller:pvc-protection-controller S:kube-system/pvc-protection-controller',
  'ClusterRoleBinding system:controller:replicaset-controller ClusterRole system:controller:replicaset-controller S:kube-system/replicaset-controller',
  'ClusterRoleBinding system:controller:replication-controller ClusterRole system:controller:replication-controller S:kube-system/replication-controller',
  'ClusterRoleBinding system:controller:resource-claim-controller ClusterRole system:controller:resource-claim-controller S:kube-system/resource-claim-controller',
  'ClusterRoleBinding system:controller:resourcequota-controller ClusterRole system:controller:resourcequota-controller S:kube-system/resourcequota-controller',
  'ClusterRoleBinding system:controller:root-ca-cert-publisher ClusterRole system:controller:root-ca-cert-publisher S:kube-system/root-ca-cert-publisher',
  'ClusterRoleBinding system:controller:route-controller ClusterRole system:controller:route-controller S:kube-system/route-controller',
  'ClusterRoleBinding system:controller:selinux-warning-controller ClusterRole system:controller:selinux-warning-controller S:kube-system/selinux-warning-controller',
  'ClusterRoleBinding system:controller:service-account-controller ClusterRole system:controller:service-account-controller S:kube-system/service-account-controller',
  'ClusterRoleBinding system:controller:service-cidrs-controller ClusterRole system:controller:service-cidrs-controller S:kube-system/service-cidrs-controller',
  'ClusterRoleBinding system:controller:service-controller ClusterRole system:controller:service-controller S:kube-system/service-controller',
  'ClusterRoleBinding system:controller:statefulset-controller ClusterRole system:controller:statefulset-controller S:kube-system/statefulset-controller',
  'ClusterRoleBinding system:controller:storage-version-migrator-controller ClusterRole system:controller:storage-version-migrator-controller S:kube-system/storage-version-migrator-controller',
  'ClusterRoleBinding system:controller:ttl-after-finished-controller ClusterRole system:controller:ttl-after-finished-controller S:kube-system/ttl-after-finished-controller',
  'ClusterRoleBinding system:controller:ttl-controller ClusterRole system:controller:ttl-controller S:kube-system/ttl-controller',
  'ClusterRoleBinding system:controller:validatingadmissionpolicy-status-controller ClusterRole system:controller:validatingadmissionpolicy-status-controller S:kube-system/validatingadmissionpolicy-status-controller',
  'ClusterRoleBinding system:controller:volumeattributesclass-protection-controller ClusterRole system:controller:volumeattributesclass-protection-controller S:kube-system/volumeattributesclass-protection-controller',
  'ClusterRoleBinding system:discovery ClusterRole system:discovery G:system:authenticated',
  'ClusterRoleBinding system:kube-controller-manager ClusterRole system:kube-controller-manager U:system:kube-controller-manager',
  'ClusterRoleBinding system:kube-dns ClusterRole system:kube-dns S:kube-system/kube-dns',
  'ClusterRoleBinding system:kube-scheduler ClusterRole system:kube-scheduler U:system:kube-scheduler',
  'ClusterRoleBinding system:monitoring ClusterRole system:monitoring G:system:monitoring',
  'ClusterRoleBinding system:node ClusterRole system:node',
  'ClusterRoleBinding system:node-proxier ClusterRole system:node-proxier U:system:kube-proxy',
  'ClusterRoleBinding system:public-info-viewer ClusterRole system:public-info-viewer G:system:authenticated G:system:unauthenticated',
  'ClusterRoleBinding system:service-account-issuer-discovery ClusterRole system:service-account-issuer-discovery G:system:serviceaccounts',
  'ClusterRoleBinding system:volume-scheduler ClusterRole system:volume-scheduler U:system:kube-scheduler',
  'RoleBinding kube-public/system:controller:bootstrap-signer Role system:controller:bootstrap-signer S:kube-system/bootstrap-signer',
  'RoleBinding kube-system/system::extension-apiserver-authentication-reader Role extension-apiserver-authentication-reader U:system:kube-controller-manager U:system:kube-scheduler',
  'RoleBinding kube-system/system::leader-locking-kube-controller-manager Role system::leader-locking-kube-controller-manager U:system:kube-controller-manager S:kube-system/kube-controller-manager S:kube-system/leader-election-controller',
  'RoleBinding kube-system/system::leader-locking-kube-scheduler Role system::leader-locking-kube-scheduler U:system:kube-scheduler S:kube-system/kube-scheduler',
  'RoleBinding kube-system/system:controller:bootstrap-signer Role system:controller:bootstrap-signer S:kube-system/bootstrap-signer',
  'RoleBinding kube-system/system:controller:cloud-provider Role system:controller:cloud-provider S:kube-system/cloud-provider',
  'RoleBinding kube-system/system:controller:token-cleaner Role system:controller:token-cleaner S:kube-system/token-cleaner',
];

interface ParsedRow {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly roleKind: string;
  readonly roleName: string;
  readonly subjects: readonly string[];
}

function parseRow(row: Row): ParsedRow {
  const [kind = '', qualified = '', roleKind = '', roleName = '', ...subjects] = row.split(' ');
  const slash = qualified.indexOf('/');
  return {
    kind,
    namespace: slash === -1 ? null : qualified.slice(0, slash),
    name: slash === -1 ? qualified : qualified.slice(slash + 1),
    roleKind,
    roleName,
    subjects,
  };
}
const BOOTSTRAP_ROWS = BOOTSTRAP.map(parseRow);

const BOOTSTRAP_REASON: Localized = {
  en: 'Kubernetes bootstrap policy: kube-apiserver creates this binding and restores it at every start (label kubernetes.io/bootstrapping=rbac-defaults); its subjects are Kubernetes components.',
  'zh-CN':
    'Kubernetes 引导策略：kube-apiserver 创建此绑定，并在每次启动时恢复（标签 kubernetes.io/bootstrapping=rbac-defaults）；其主体是 Kubernetes 组件。',
};

interface AnonymousExemption {
  readonly row: ParsedRow;
  readonly rules: readonly PolicyRule[];
  readonly reason: Localized;
}

const rule = (r: Partial<PolicyRule> & { verbs: string[] }): PolicyRule => ({
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
  ...r,
});

/**
 * Bindings to system:anonymous / system:unauthenticated that are there on purpose. Not in this list:
 * system:discovery and system:basic-user, which bound system:unauthenticated before v1.14 and still do
 * on clusters upgraded since (reconciliation never removes a subject); upstream took anonymous users out
 * of them on purpose, so they are reported.
 */
const ANONYMOUS: readonly AnonymousExemption[] = [
  {
    row: parseRow(
      'ClusterRoleBinding system:public-info-viewer ClusterRole system:public-info-viewer G:system:authenticated G:system:unauthenticated',
    ),
    rules: [
      rule({ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }),
    ],
    reason: {
      en: 'Kubernetes bootstrap policy: health and version endpoints (/healthz, /livez, /readyz, /version) are public on purpose, for load balancers and probes.',
      'zh-CN':
        'Kubernetes 引导策略：健康检查与版本端点（/healthz、/livez、/readyz、/version）有意公开，供负载均衡器与探针使用。',
    },
  },
  {
    row: parseRow(
      'RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo Role kubeadm:bootstrap-signer-clusterinfo U:system:anonymous',
    ),
    rules: [
      rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'] }),
    ],
    reason: {
      en: 'kubeadm: joining nodes read the signed kube-public/cluster-info ConfigMap before they have credentials (kubeadm join discovery); it holds only the CA and the API server address.',
      'zh-CN':
        'kubeadm：加入集群的节点在获得凭据前读取已签名的 kube-public/cluster-info ConfigMap（kubeadm join 发现）；其中仅有 CA 与 API 服务器地址。',
    },
  },
];

function subjectKey(subject: Subject, bindingNamespace: string | null): string {
  if (subject.kind === 'ServiceAccount')
    return `S:${subject.namespace || bindingNamespace || ''}/${subject.name}`;
  return `${subject.kind === 'User' ? 'U' : subject.kind === 'Group' ? 'G' : '?'}:${subject.name}`;
}

function matchesRow(binding: BindingObject, row: ParsedRow): boolean {
  return (
    binding.kind === row.kind &&
    binding.namespace === row.namespace &&
    binding.name === row.name &&
    binding.roleRef.kind === row.roleKind &&
    binding.roleRef.name === row.roleName &&
    binding.subjects.every((s) => row.subjects.includes(subjectKey(s, binding.namespace)))
  );
}

const sameRules = (a: readonly PolicyRule[], b: readonly PolicyRule[]) =>
  a.length === b.length && a.every((r) => b.some((s) => sameRule(r, s)));

/** The shipped reason a binding's finding is exempt for, or null. */
export function builtinExemption(
  binding: BindingObject,
  role: ResolvedRole | null,
  ruleId: RbacRuleId,
): Localized | null {
  if (ruleId === 'rbac-anonymous-binding') {
    const match = ANONYMOUS.find((e) => matchesRow(binding, e.row));
    return match &&
      role &&
      sameRules(
        role.rules.map((r) => r.rule),
        match.rules,
      )
      ? match.reason
      : null;
  }
  return BOOTSTRAP_ROWS.some((row) => matchesRow(binding, row)) ? BOOTSTRAP_REASON : null;
}
