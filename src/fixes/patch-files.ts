/**
 * Strategic-merge patch files for a kustomize overlay (`kube-patrol fix --patches-out DIR`): one file per
 * workload, the patch of engine/fix.ts with the apiVersion, kind and metadata kustomize matches it by.
 * Pure: the names and texts; the command writes them.
 */
import { stringify } from 'yaml';
import type { JsonObject } from '../engine/fix.ts';
import type { WorkloadRef } from '../workloads/model.ts';

export interface PatchFileInput extends WorkloadRef {
  readonly apiVersion: string;
  readonly patch: JsonObject;
  /** The rules whose fixes the patch holds, for its comment. */
  readonly rules: readonly string[];
}

/** Characters a file name keeps; Kubernetes names never need more, a hostile file's are replaced. */
function safePart(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

/** `deployment_shop_web.yaml`: kind, namespace (when the manifest names one) and name. */
export function patchFileName(ref: WorkloadRef): string {
  const parts = [ref.kind, ...(ref.namespace ? [ref.namespace] : []), ref.name].map(safePart);
  return `${parts.join('_')}.yaml`;
}

export function patchFileText(input: PatchFileInput): string {
  const { patch } = input;
  const metadata = {
    name: input.name,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...((patch['metadata'] as JsonObject | undefined) ?? {}),
  };
  const { metadata: _ignored, ...rest } = patch;
  const document = { apiVersion: input.apiVersion, kind: input.kind, metadata, ...rest };
  const header = `# kube-patrol fix: ${input.rules.join(', ')}\n`;
  return header + stringify(document, { lineWidth: 0 });
}
