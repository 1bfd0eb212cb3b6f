import type { FieldPath } from '../shared/field-path.ts';
import type { ContainerNode, ContainerRole } from './rule.ts';
import type { PodSpec } from '../workloads/schema.ts';

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
      });
    });
  }
  return nodes;
}
