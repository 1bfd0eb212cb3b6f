import type { AnyRule } from '../engine/rule.ts';
import { apparmorAnnotationDeprecated } from './apparmor-annotation-deprecated/rule.ts';
import { apparmorUnconfined } from './apparmor-unconfined/rule.ts';
import { capabilitiesAdded } from './capabilities-added/rule.ts';
import { capabilitiesNotDropped } from './capabilities-not-dropped/rule.ts';
import { hostIpc } from './host-ipc/rule.ts';
import { hostNetwork } from './host-network/rule.ts';
import { hostPath } from './host-path/rule.ts';
import { hostPid } from './host-pid/rule.ts';
import { hostPorts } from './host-ports/rule.ts';
import { imageTagMutable } from './image-tag-mutable/rule.ts';
import { invalidExemption } from './invalid-exemption/rule.ts';
import { kubeletSeccompDefaultRule } from './kubelet-seccomp-default/rule.ts';
import { namespacePssUnenforced } from './namespace-pss-unenforced/rule.ts';
import { privilegeEscalation } from './privilege-escalation/rule.ts';
import { privileged } from './privileged/rule.ts';
import { probeHost } from './probe-host/rule.ts';
import { probesMissing } from './probes-missing/rule.ts';
import { procMount } from './proc-mount/rule.ts';
import { rbacAdmissionWrite } from './rbac-admission-write/rule.ts';
import { rbacAnonymousBinding } from './rbac-anonymous-binding/rule.ts';
import { rbacClusterAdminBinding } from './rbac-cluster-admin-binding/rule.ts';
import { rbacCsrApprove } from './rbac-csr-approve/rule.ts';
import { rbacEscalate } from './rbac-escalate/rule.ts';
import { rbacNodesProxy } from './rbac-nodes-proxy/rule.ts';
import { rbacPodExec } from './rbac-pod-exec/rule.ts';
import { rbacSecretsRead } from './rbac-secrets-read/rule.ts';
import { rbacTokenCreate } from './rbac-token-create/rule.ts';
import { rbacWildcard } from './rbac-wildcard/rule.ts';
import { rbacWorkloadCreate } from './rbac-workload-create/rule.ts';
import { readOnlyRootFs } from './read-only-root-fs/rule.ts';
import { resourcesMissing } from './resources-missing/rule.ts';
import { runAsNonRoot } from './run-as-non-root/rule.ts';
import { runAsRootUser } from './run-as-root-user/rule.ts';
import { seccompAnnotationDeprecated } from './seccomp-annotation-deprecated/rule.ts';
import { seccompProfileMissing } from './seccomp-profile-missing/rule.ts';
import { seccompProfileNotFound } from './seccomp-profile-not-found/rule.ts';
import { seccompProfileWeak } from './seccomp-profile-weak/rule.ts';
import { seccompUnconfined } from './seccomp-unconfined/rule.ts';
import { secretInEnv } from './secret-in-env/rule.ts';
import { selinuxOptions } from './selinux-options/rule.ts';
import { serviceAccountToken } from './service-account-token/rule.ts';
import { sysctlsUnsafe } from './sysctls-unsafe/rule.ts';
import { volumeTypes } from './volume-types/rule.ts';
import { windowsHostProcess } from './windows-host-process/rule.ts';

/**
 * Every rule, sorted by id. The catalogue test checks this list against the folders of src/rules,
 * so a rule cannot exist without being registered or be registered twice.
 */
export const ALL_RULES = [
  apparmorAnnotationDeprecated,
  apparmorUnconfined,
  capabilitiesAdded,
  capabilitiesNotDropped,
  hostIpc,
  hostNetwork,
  hostPath,
  hostPid,
  hostPorts,
  imageTagMutable,
  invalidExemption,
  kubeletSeccompDefaultRule,
  namespacePssUnenforced,
  privilegeEscalation,
  privileged,
  probeHost,
  probesMissing,
  procMount,
  rbacAdmissionWrite,
  rbacAnonymousBinding,
  rbacClusterAdminBinding,
  rbacCsrApprove,
  rbacEscalate,
  rbacNodesProxy,
  rbacPodExec,
  rbacSecretsRead,
  rbacTokenCreate,
  rbacWildcard,
  rbacWorkloadCreate,
  readOnlyRootFs,
  resourcesMissing,
  runAsNonRoot,
  runAsRootUser,
  seccompAnnotationDeprecated,
  seccompProfileMissing,
  seccompProfileNotFound,
  seccompProfileWeak,
  seccompUnconfined,
  secretInEnv,
  selinuxOptions,
  serviceAccountToken,
  sysctlsUnsafe,
  volumeTypes,
  windowsHostProcess,
] as const satisfies readonly AnyRule[];
