import type { FieldPath } from '../shared/field-path.ts';
import type { ContainerNode, ContainerRole } from './rule.ts';
import type { ContainerSecurityContext, PodSecurityContext, PodSpec } from '../workloads/schema.ts';

const ROLES: readonly ContainerRole[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** Every container of a pod spec with its role and field path: the one traversal rules share. */
export function listContainers(podSpec: PodSpec, podSpecPath: FieldPath): ContainerNode[] {
  const nodes: ContainerNode[] = [];
  for (const role of ROLES) {
    const list = podSpec[role];
    if (!list) continue;
    list.forEach((container, index) => {
      nodes.push({
        container,
        role,
        index,
        name: container.name ?? `${role}[${index}]`,
        path: [...podSpecPath, role, index],
        longRunning:
          role === 'containers' || (role === 'initContainers' && container.restartPolicy === 'Always'),
      });
    });
  }
  return nodes;
}

/** The fields pod-level and container-level security contexts share (seccomp, AppArmor, SELinux, ...). */
export type SharedSecurityContext = PodSecurityContext | ContainerSecurityContext;

/** Where one security context sits: the pod's, or one container's. */
export interface SecurityContextSite {
  readonly securityContext: SharedSecurityContext | null | undefined;
  /** Path of the `securityContext` field (present or not). */
  readonly path: FieldPath;
  /** The container, for a container's security context. */
  readonly container?: ContainerNode;
  /** `{ container: name }` for a container, `{}` for the pod: spread into a finding's data. */
  readonly data: Readonly<Record<string, string>>;
}

/**
 * The pod's security context, then each container's (init, app, ephemeral), each with its path: the walk
 * that rules checking a field settable at both levels share.
 */
export function securityContextSites(
  podSpec: PodSpec,
  podSpecPath: FieldPath,
  containers: readonly ContainerNode[],
): SecurityContextSite[] {
  return [
    { securityContext: podSpec.securityContext, path: [...podSpecPath, 'securityContext'], data: {} },
    ...containers.map((node) => ({
      securityContext: node.container.securityContext,
      path: [...node.path, 'securityContext'],
      container: node,
      data: { container: node.name },
    })),
  ];
}
