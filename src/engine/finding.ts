import type { WorkloadRef } from '../workloads/model.ts';
import type { PssRef, RuleCategory } from './rule.ts';
import type { Severity } from './severity.ts';
import type { FindingFix } from './fix.ts';

export interface Exemption {
  readonly by: 'annotation' | 'config' | 'preset';
  readonly reason: string;
  /** The shipped preset's id (`by: preset`). */
  readonly preset?: string;
  /** ISO date, for config exemptions that expire. */
  readonly expires?: string;
}

/** A rule's verdict on one field of one workload; rendered into text only by the report. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  readonly pss: PssRef | null;
  readonly workload: WorkloadRef;
  readonly container: string | null;
  /** Path of the field at fault inside the object; when that field is absent, its deepest existing parent. */
  readonly path: string;
  /** The part of the rule's path that does not exist in the object yet (the field to add), if any. */
  readonly missing?: string;
  readonly messageId: string;
  readonly data: Readonly<Record<string, string | number>>;
  /** Why the finding holds, one step a line, when it comes from other objects (e.g. RBAC bindings). */
  readonly evidence?: readonly string[];
  /** How to fix it by machine, when the rule knows (engine/fix.ts): its safety class and patch. */
  readonly fix?: FindingFix;
  readonly source?: { readonly file: string; readonly line?: number };
  readonly exempted?: Exemption;
  /** A config exemption that matched but has expired: the finding counts again. */
  readonly exemptionExpired?: Exemption;
}
