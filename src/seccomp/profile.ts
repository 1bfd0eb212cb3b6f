// Writers for a profile made from observed system calls: the OCI runtime-spec JSON that runc, containerd
// and CRI-O load for `Localhost`, a Security Profiles Operator SeccompProfile, and the securityContext
// patch. Pure: the caller writes the files.
import type { Arch, FamilyName, SyscallTable } from './arch.ts';
import { FAMILIES } from './arch.ts';
import type { BaseSetEntry } from './data.ts';

export type ProfileMode = 'enforce' | 'log';

/** The runtime-spec `linux.seccomp` object (the file format of a Localhost profile). */
export interface OciSeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO' | 'SCMP_ACT_LOG';
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: { names: string[]; action: 'SCMP_ACT_ALLOW' }[];
}

export interface ProfileInput {
  observed: readonly string[];
  family: FamilyName;
  mode: ProfileMode;
  baseSet: readonly BaseSetEntry[];
  tables: Readonly<Record<Arch, SyscallTable>>;
}

export interface BuiltProfile {
  profile: OciSeccompProfile;
  /** base-set names the trace did not show (added for the runtime) */
  addedFromBaseSet: string[];
}

const EPERM = 1;

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildProfile(input: ProfileInput): BuiltProfile {
  const family = FAMILIES[input.family];
  const known = (name: string) =>
    name in input.tables[family.primary].syscalls || name in input.tables[family.compat].syscalls;
  const observed = new Set(input.observed);
  // A base-set name the family does not have (arch_prctl on aarch64) would only be skipped by libseccomp.
  const added = input.baseSet.map((e) => e.name).filter((n) => !observed.has(n) && known(n));
  const names = [...new Set([...observed, ...added])].sort(compareNames);
  const profile: OciSeccompProfile =
    input.mode === 'log'
      ? { defaultAction: 'SCMP_ACT_LOG', architectures: family.scmp, syscalls: [] }
      : { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, architectures: family.scmp, syscalls: [] };
  profile.syscalls.push({ names, action: 'SCMP_ACT_ALLOW' });
  return { profile, addedFromBaseSet: [...new Set(added)].sort(compareNames) };
}

/** A Kubernetes object name: lower-case RFC 1123 subdomain. */
export function isValidProfileName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name);
}

export interface SpoOptions {
  name: string;
  namespace?: string;
}

export const SPO_API_VERSION = 'security-profiles-operator.x-k8s.io/v1beta1';

/** A Security Profiles Operator SeccompProfile with the same content. */
export function toSeccompProfileObject(
  profile: OciSeccompProfile,
  options: SpoOptions,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: options.name };
  if (options.namespace) metadata.namespace = options.namespace;
  return {
    apiVersion: SPO_API_VERSION,
    kind: 'SeccompProfile',
    metadata,
    spec: {
      defaultAction: profile.defaultAction,
      architectures: profile.architectures,
      syscalls: profile.syscalls.map((s) => ({ action: s.action, names: s.names })),
    },
  };
}

/** Where the kubelet looks for the profile file: relative to its seccomp root (/var/lib/kubelet/seccomp). */
export function localhostProfilePath(name: string): string {
  return `kube-patrol/${name}.json`;
}

/** Where SPO installs a SeccompProfile on every node (its `status.localhostProfile`). */
export function spoLocalhostProfilePath(name: string, namespace: string): string {
  return `operator/${namespace}/${name}.json`;
}

/** The securityContext fragment to merge into a pod (or container) spec. */
export function seccompPatch(localhostProfile: string): Record<string, unknown> {
  return { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile } } };
}

export interface ReadmeInput {
  name: string;
  namespace?: string;
  files: { profile: string; logProfile: string; spo: string; patch: string };
  observedCount: number;
  addedFromBaseSet: readonly string[];
  sources: readonly string[];
}

/** The README written next to the profiles by `--out-dir`. */
export function installReadme(input: ReadmeInput): string {
  const path = localhostProfilePath(input.name);
  const spoPath = spoLocalhostProfilePath(input.name, input.namespace ?? '<namespace>');
  return `# Seccomp profile \`${input.name}\`

Made by \`kube-patrol seccomp profile\` from ${input.sources.map((s) => `\`${s}\``).join(', ')}:
${input.observedCount} system calls seen in the trace, plus ${input.addedFromBaseSet.length} the container
runtime needs to start the process (${input.addedFromBaseSet.join(', ')}).

| file | what |
|---|---|
| \`${input.files.profile}\` | the profile: every other system call fails with EPERM |
| \`${input.files.logProfile}\` | the same list, but other calls are only logged (\`SCMP_ACT_LOG\`): for a trial period |
| \`${input.files.spo}\` | the same profile as a Security Profiles Operator \`SeccompProfile\` |
| \`${input.files.patch}\` | the \`securityContext\` to put into the pod spec |

## Install it on the nodes

The kubelet reads \`Localhost\` profiles from its seccomp root, \`/var/lib/kubelet/seccomp\`, on the node
that runs the pod. Either

- copy \`${input.files.profile}\` to \`/var/lib/kubelet/seccomp/${path}\` on **every** node that can run the
  pod (configuration management, or a DaemonSet that mounts that directory), and use
  \`localhostProfile: ${path}\` (as in \`${input.files.patch}\`); or
- with the Security Profiles Operator installed: \`kubectl apply -f ${input.files.spo}\`${input.namespace ? '' : ' -n <namespace>'}; the operator
  writes it to every node, and the pod uses \`localhostProfile: ${spoPath}\`.

A pod whose profile file is missing on its node does not start (CreateContainerError).

## Trial, then enforce

1. Install \`${input.files.logProfile}\` under the same name first: calls outside the list are allowed and
   logged by the kernel (audit log or \`dmesg\`, \`type=1326\` lines with \`syscall=N\`).
2. Run the workload through everything it does (start-up, requests, shutdown, error paths, cron jobs).
3. Add what the log shows (trace again, or add the names), then install \`${input.files.profile}\`.

strace sees only the paths the traced run took, and not the calls the runtime makes for itself; see the
seccomp guide (docs/seccomp.md) for what to watch.
`;
}
