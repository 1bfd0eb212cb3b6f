import type { PolicyRule } from './model.ts';

// The matching of one PolicyRule against one request, as upstream decides it
// (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation helpers, called by the RBAC authorizer's RuleAllows):
// plain string equality plus these wildcards, and nothing else:
// - verbs and apiGroups: `*` matches every value;
// - resources: `*` matches every resource and subresource; `*/<sub>` matches subresource `<sub>` of any
//   resource (so `*/*` matches only a subresource literally named `*`); `pods/*` is no wildcard at all;
//   a subresource request matches only `<resource>/<sub>` (a rule on `pods` grants nothing on `pods/exec`);
// - resourceNames: an empty list matches every name (including no name); otherwise the request's name
//   must be one of them, so a request without a name (list, create, deletecollection) never matches;
// - nonResourceURLs: `*` matches every path; an entry ending in `*` matches every path starting with the
//   entry stripped of all its trailing `*`s; otherwise equality.
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some(
    (r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((url) => {
    if (url === '*' || url === path) return true;
    return url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''));
  });
}

/** Whether the rule allows a resource request (RuleAllows for `IsResourceRequest()`). */
export function ruleAllowsResource(
  rule: PolicyRule,
  verb: string,
  group: string,
  resource: string,
  subresource: string,
  name: string,
): boolean {
  return (
    verbMatches(rule, verb) &&
    apiGroupMatches(rule, group) &&
    resourceMatches(rule, resource, subresource) &&
    resourceNameMatches(rule, name)
  );
}

/** Whether the rule allows a non-resource request. */
export function ruleAllowsNonResource(rule: PolicyRule, verb: string, path: string): boolean {
  return verbMatches(rule, verb) && nonResourceURLMatches(rule, path);
}

const keys = new WeakMap<PolicyRule, string>();

/**
 * A rule's identity for the aggregation controller's de-duplication (semantic deep equality: every
 * field, element order included, nil and empty alike): equal keys ⇔ equal rules.
 */
export function ruleKey(rule: PolicyRule): string {
  let key = keys.get(rule);
  if (key === undefined) {
    key = JSON.stringify([
      rule.verbs,
      rule.apiGroups,
      rule.resources,
      rule.resourceNames,
      rule.nonResourceURLs,
    ]);
    keys.set(rule, key);
  }
  return key;
}

export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return ruleKey(a) === ruleKey(b);
}
