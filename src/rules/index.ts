import type { AnyRule } from '../engine/rule.ts';
import { privileged } from './privileged/rule.ts';

/**
 * Every rule, sorted by id. The catalogue test checks this list against the folders of src/rules,
 * so a rule cannot exist without being registered or be registered twice.
 */
export const ALL_RULES = [
  privileged,
] as const satisfies readonly AnyRule[];
