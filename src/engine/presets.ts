import type { Workload } from '../workloads/model.ts';
import type { FieldPath } from '../shared/field-path.ts';
import type { ContainerNode } from './rule.ts';

/** What an exemption preset sees of one finding: its rule, the workload, the container and the field. */
export interface PresetQuery {
  readonly ruleId: string;
  readonly workload: Workload;
  /** Every container of the pod spec (the engine's traversal). */
  readonly containers: readonly ContainerNode[];
  /** The container the finding is about; absent for pod-level fields (host namespaces, volumes). */
  readonly container?: ContainerNode;
  /** The field at fault, inside the object. */
  readonly path: FieldPath;
}

/**
 * A shipped exemption (src/presets/): a finding that a well-known agent cannot avoid, matched narrowly
 * (by rule, image and field), exempted with a reason and kept in the report like any other exemption.
 * Pure: it decides from the query alone.
 */
export interface ExemptionPreset {
  /** Stable id, used in the config (`exemptionPresets`) and in reports (`exempted.preset`). */
  readonly id: string;
  /** The reason, already in the report language. */
  readonly reason: string;
  /** The rules it may exempt: checked before `matches`. */
  readonly rules: ReadonlySet<string>;
  matches(query: PresetQuery): boolean;
}

/** The first preset that exempts this finding, if any. */
export function findPresetExemption(
  presets: readonly ExemptionPreset[],
  query: PresetQuery,
): ExemptionPreset | undefined {
  for (const preset of presets) if (preset.rules.has(query.ruleId) && preset.matches(query)) return preset;
  return undefined;
}
