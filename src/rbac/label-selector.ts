import type { LabelSelector } from './model.ts';

/**
 * metav1.LabelSelector semantics (LabelSelectorAsSelector in k8s.io/apimachinery): matchLabels are
 * equality requirements; matchExpressions In / NotIn (NotIn also matches an absent key) / Exists /
 * DoesNotExist; every requirement must hold; a selector with no requirement matches everything. A
 * selector the conversion refuses (unknown operator, In/NotIn without values, Exists/DoesNotExist with
 * values, an invalid key or value) is an error, which the aggregation controller reports instead of
 * selecting anything.
 */
export type CompiledSelector = (labels: Readonly<Record<string, string>>) => boolean;

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `label key ${JSON.stringify(key)}: the prefix must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    return `label key ${JSON.stringify(key)}: the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  return null;
}

function valueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME.test(value))
    return `label value ${JSON.stringify(value)}: at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  return null;
}

export function compileSelector(
  selector: LabelSelector,
): { ok: true; matches: CompiledSelector } | { ok: false; error: string } {
  const checks: CompiledSelector[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem) return { ok: false, error: problem };
    checks.push((labels) => labels[key] === value);
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    const problem = keyProblem(key) ?? values.map(valueProblem).find((p) => p !== null) ?? null;
    if (problem) return { ok: false, error: problem };
    const has = (labels: Readonly<Record<string, string>>) => Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0)
          return { ok: false, error: `matchExpressions key ${key}: operator ${operator} needs values` };
        const set = new Set(values);
        checks.push(
          operator === 'In'
            ? (labels) => has(labels) && set.has(labels[key]!)
            : (labels) => !has(labels) || !set.has(labels[key]!),
        );
        break;
      }
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          return { ok: false, error: `matchExpressions key ${key}: operator ${operator} takes no values` };
        checks.push(operator === 'Exists' ? has : (labels) => !has(labels));
        break;
      default:
        return {
          ok: false,
          error: `matchExpressions key ${key}: ${JSON.stringify(operator)} is not a valid operator`,
        };
    }
  }
  return { ok: true, matches: (labels) => checks.every((check) => check(labels)) };
}
