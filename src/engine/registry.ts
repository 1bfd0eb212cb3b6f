import type { AnyRule, RuleMeta } from './rule.ts';

/**
 * The rules a program runs, chosen by its composition root (a CLI command, the operator main) and passed
 * down: nothing below the roots imports the rule list, so tests and tools can run any set of rules.
 */
export interface RuleRegistry {
  readonly rules: readonly AnyRule[];
  readonly meta: readonly RuleMeta[];
  /** Every id and alias, for config validation and exemption annotations. */
  readonly knownIds: ReadonlySet<string>;
  /** The option names each rule declares, by id and alias, for validating `rules.<id>.options`. */
  readonly knownOptions: ReadonlyMap<string, ReadonlySet<string>>;
}

export function createRegistry(rules: readonly AnyRule[]): RuleRegistry {
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const id of [rule.meta.id, ...(rule.meta.aliases ?? [])]) {
      if (seen.has(id)) throw new Error(`rule id or alias registered twice: ${id}`);
      seen.add(id);
    }
  }
  const knownOptions = new Map<string, ReadonlySet<string>>();
  for (const rule of rules) {
    const names = new Set(Object.keys(rule.meta.options ?? {}));
    for (const id of [rule.meta.id, ...(rule.meta.aliases ?? [])]) knownOptions.set(id, names);
  }
  return { rules, meta: rules.map((rule) => rule.meta), knownIds: seen, knownOptions };
}
