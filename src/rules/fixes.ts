/** Builders of the machine fixes several rules share (engine/fix.ts has the contract). */
import {
  POD_SECURITY_CONTEXT,
  containerSecurityContext,
  type FixDraft,
  type FixOperation,
  type FixSafety,
  podAnnotationPath,
  type JsonValue,
} from '../engine/fix.ts';
import type { CheckContext, ContainerNode } from '../engine/rule.ts';

/** Sets one field of a container's securityContext. */
export function setContainerField(node: ContainerNode, field: string, value: JsonValue): FixOperation {
  return { op: 'set', path: [...containerSecurityContext(node), field], value };
}

/** Sets one field of the pod's securityContext. */
export function setPodField(field: string, value: JsonValue): FixOperation {
  return { op: 'set', path: [...POD_SECURITY_CONTEXT, field], value };
}

export function fix(safety: FixSafety, ...operations: FixOperation[]): FixDraft {
  return { safety, operations };
}

/** Linux-only securityContext fields: the API rejects them in a Windows pod, so no fix writes them there. */
export function linuxPod(context: CheckContext): boolean {
  return context.podSpec.os?.name !== 'windows';
}

/**
 * RuntimeDefault seccomp for a container that has no profile: `safe` at pod level when neither the pod nor
 * any container sets a profile (the definition), otherwise `review`, on the container itself (a
 * pod that chose profiles for some containers gets a person's look before another is added).
 */
export function runtimeDefaultSeccomp(context: CheckContext, node: ContainerNode): FixDraft {
  const profile = { type: 'RuntimeDefault' };
  return anySeccompProfile(context)
    ? fix('review', setContainerField(node, 'seccompProfile', profile))
    : fix('safe', setPodField('seccompProfile', profile));
}

/** Removes one annotation of the pod template. */
export function removeAnnotation(key: string): FixOperation {
  return { op: 'remove', path: podAnnotationPath(key) };
}

/** Whether the pod or any container sets a seccomp profile. */
export function anySeccompProfile(context: CheckContext): boolean {
  return (
    context.podSpec.securityContext?.seccompProfile != null ||
    context.containers.some((c) => c.container.securityContext?.seccompProfile != null)
  );
}
