import type { Localized } from '../engine/i18n.ts';
import { SEVERITIES, type Severity } from '../engine/severity.ts';
import { serviceAccountIdentity } from './authorize.ts';
import { builtinExemption } from './builtin-bindings.ts';
import type { BindingObject, PolicyRule, RbacSource, Subject } from './model.ts';
import {
  bindingRole,
  bindingsFor,
  subjectUser,
  type RbacIndex,
  type ResolvedRole,
  type ResolvedRule,
} from './rbac-index.ts';
import { apiGroupMatches, resourceMatches, verbMatches } from './rule-match.ts';

/** The rule ids of RULES.md §3 about RBAC, with their default severities. */
export const RBAC_RULE_SEVERITY = {
  'rbac-anonymous-binding': 'critical',
  'rbac-cluster-admin-binding': 'high',
  'rbac-wildcard': 'high',
  'rbac-secrets-read': 'high',
  'rbac-pod-exec': 'high',
  'rbac-workload-create': 'medium',
  'rbac-escalate': 'critical',
  'rbac-nodes-proxy': 'critical',
  'rbac-token-create': 'high',
  'rbac-admission-write': 'high',
  'rbac-csr-approve': 'high',
} as const satisfies Record<string, Severity>;
export type RbacRuleId = keyof typeof RBAC_RULE_SEVERITY;
export const RBAC_RULE_IDS = Object.keys(RBAC_RULE_SEVERITY) as RbacRuleId[];

/**
 * One question a power asks of a rule: some verbs on one resource (or subresource) of one API group.
 * `nameless`: the request never carries an object name (create of a top-level object), so a rule with
 * resourceNames can never allow it. `clusterOnly`: the request carries no namespace (a cluster-scoped
 * resource), so only a ClusterRoleBinding can grant it; through a RoleBinding the rule grants nothing.
 */
interface Ask {
  readonly verbs: readonly string[];
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly nameless?: boolean;
  readonly clusterOnly?: boolean;
}

const core = (resource: string, verbs: readonly string[], subresource?: string): Ask => ({
  verbs,
  group: '',
  resource,
  ...(subresource ? { subresource } : {}),
});
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
// The kubelet maps HTTP methods to get, create, update, patch and delete; any verb counts (RULES.md).
const KUBELET_VERBS = ['get', 'list', 'watch', ...WRITE, 'proxy'];

// Powers decided by asking each rule the questions below with the authorizer's own matching (so `*`,
// `*/<sub>` and resourceNames count exactly as they do for a request).
const ASKS: Partial<Record<RbacRuleId, readonly Ask[]>> = {
  'rbac-secrets-read': [core('secrets', ['get', 'list', 'watch'])],
  'rbac-pod-exec': ['exec', 'attach', 'portforward'].map((sub) => core('pods', ['create', 'get'], sub)),
  'rbac-workload-create': [
    { ...core('pods', ['create']), nameless: true },
    { ...core('replicationcontrollers', ['create']), nameless: true },
    ...['deployments', 'daemonsets', 'statefulsets', 'replicasets'].map((resource) => ({
      verbs: ['create'],
      group: 'apps',
      resource,
      nameless: true,
    })),
    ...['jobs', 'cronjobs'].map((resource) => ({
      verbs: ['create'],
      group: 'batch',
      resource,
      nameless: true,
    })),
  ],
  'rbac-escalate': [
    { verbs: ['escalate', 'bind'], group: RBAC_GROUP, resource: 'roles' },
    // Binding a ClusterRole in a RoleBinding is checked in the binding's namespace (delegation works
    // through a RoleBinding); changing a ClusterRole is cluster-scoped.
    { verbs: ['bind'], group: RBAC_GROUP, resource: 'clusterroles' },
    { verbs: ['escalate'], group: RBAC_GROUP, resource: 'clusterroles', clusterOnly: true },
    { ...core('users', ['impersonate']), clusterOnly: true },
    { ...core('groups', ['impersonate']), clusterOnly: true },
    core('serviceaccounts', ['impersonate']),
  ],
  'rbac-nodes-proxy': [{ ...core('nodes', KUBELET_VERBS, 'proxy'), clusterOnly: true }],
  'rbac-token-create': [core('serviceaccounts', ['create'], 'token')],
  'rbac-admission-write': [
    'validatingwebhookconfigurations',
    'mutatingwebhookconfigurations',
    'validatingadmissionpolicies',
    'validatingadmissionpolicybindings',
    'mutatingadmissionpolicies',
    'mutatingadmissionpolicybindings',
  ].map((resource) => ({
    verbs: WRITE,
    group: 'admissionregistration.k8s.io',
    resource,
    clusterOnly: true,
  })),
};
const CSR_APPROVAL: Ask = {
  verbs: ['update'],
  group: 'certificates.k8s.io',
  resource: 'certificatesigningrequests',
  subresource: 'approval',
  clusterOnly: true,
};
const SIGNER_APPROVE: Ask = {
  verbs: ['approve'],
  group: 'certificates.k8s.io',
  resource: 'signers',
  clusterOnly: true,
};

/** What one rule grants of what a power asks. */
export interface GrantedPower {
  /** e.g. `get secrets`, `create pods/exec`. */
  readonly grants: readonly string[];
  /** Empty: every object; otherwise only these names (resourceNames). */
  readonly resourceNames: readonly string[];
}

function ask(rule: PolicyRule, asks: readonly Ask[], clusterWide: boolean): GrantedPower | null {
  const grants: string[] = [];
  for (const a of asks) {
    if (a.nameless && rule.resourceNames.length > 0) continue;
    if (a.clusterOnly && !clusterWide) continue;
    if (!apiGroupMatches(rule, a.group) || !resourceMatches(rule, a.resource, a.subresource ?? '')) continue;
    const what = `${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
    for (const verb of a.verbs) if (verbMatches(rule, verb)) grants.push(`${verb} ${what}`);
  }
  return grants.length ? { grants, resourceNames: rule.resourceNames } : null;
}

function wildcards(rule: PolicyRule): GrantedPower | null {
  const grants = [
    ...rule.verbs.filter((v) => v === '*').map(() => 'verbs: *'),
    ...rule.apiGroups.filter((g) => g === '*').map(() => 'apiGroups: *'),
    ...rule.resources.filter((r) => r === '*' || r.startsWith('*/')).map((r) => `resources: ${r}`),
  ];
  return grants.length ? { grants, resourceNames: rule.resourceNames } : null;
}

/** One step of the evidence: a rule of the bound role that gives the power. */
export interface RuleEvidence {
  readonly ruleIndex: number;
  readonly rule: PolicyRule;
  /** The ClusterRole the rule was aggregated from, when the bound role is aggregated. */
  readonly aggregatedFrom?: string;
  readonly power: GrantedPower;
}

export interface ObjectRefData {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly source?: RbacSource;
}

/** Binding → role → rules: why a subject has a power. */
export interface EvidenceChain {
  readonly binding: ObjectRefData;
  /** The binding's subjects that matched (for a service account's findings) or that the finding is about. */
  readonly subjects: readonly Subject[];
  /** The bound role; null when it does not exist (the binding grants nothing until it does). */
  readonly role: { readonly kind: string; readonly namespace: string | null; readonly name: string } | null;
  readonly rules: readonly RuleEvidence[];
  /** `cluster`, or the namespace a RoleBinding grants in. */
  readonly scope: string;
}

export interface PowerExemption {
  readonly by: 'builtin';
  readonly reason: Localized;
}

/** A findings-like record: the engine turns it into a Finding on the binding or on the workload. */
export interface PowerFinding {
  readonly ruleId: RbacRuleId;
  readonly severity: Severity;
  readonly messageId: string;
  readonly data: Readonly<Record<string, string | number>>;
  readonly chains: readonly EvidenceChain[];
  readonly exempted?: PowerExemption;
}

const ref = (o: BindingObject): ObjectRefData => ({
  kind: o.kind,
  namespace: o.namespace,
  name: o.name,
  ...(o.source ? { source: o.source } : {}),
});
const scopeOf = (binding: BindingObject) =>
  binding.kind === 'ClusterRoleBinding' ? 'cluster' : (binding.namespace ?? '');

function chain(
  binding: BindingObject,
  subjects: readonly Subject[],
  role: ResolvedRole | null,
  rules: readonly RuleEvidence[],
): EvidenceChain {
  return {
    binding: ref(binding),
    subjects,
    role: role
      ? { kind: role.kind, namespace: role.namespace, name: role.name }
      : { kind: binding.roleRef.kind, namespace: null, name: binding.roleRef.name },
    rules,
    scope: scopeOf(binding),
  };
}

function rulesGranting(
  role: ResolvedRole | null,
  grant: (rule: PolicyRule) => GrantedPower | null,
): RuleEvidence[] {
  const out: RuleEvidence[] = [];
  for (const resolved of role?.rules ?? []) {
    const power = grant(resolved.rule);
    if (power)
      out.push({
        ruleIndex: resolved.index,
        rule: resolved.rule,
        ...(resolved.aggregatedFrom ? { aggregatedFrom: resolved.aggregatedFrom } : {}),
        power,
      });
  }
  return out;
}

/** User and Group names Kubernetes reserves for its own components (not the broad groups everyone is in). */
export function isSystemComponentSubject(subject: Subject): boolean {
  if (subject.kind !== 'User' && subject.kind !== 'Group') return false;
  if (!subject.name.startsWith('system:')) return false;
  const broad =
    subject.name === 'system:anonymous' ||
    subject.name === 'system:unauthenticated' ||
    subject.name === 'system:authenticated' ||
    subject.name === 'system:serviceaccounts' ||
    subject.name.startsWith('system:serviceaccounts:') ||
    subject.name.startsWith('system:serviceaccount:');
  return !broad;
}

export const isAnonymousSubject = (subject: Subject) =>
  (subject.kind === 'User' && subject.name === 'system:anonymous') ||
  (subject.kind === 'Group' && subject.name === 'system:unauthenticated');

/**
 * Joins a finding's list for its message data, at most about 1,000 characters, then `… and N more`:
 * reports cap each data value (4 KiB), and a long list reads no better (the chains are in the evidence).
 */
export function joinCapped(items: readonly string[], separator = ', ', limit = 1000): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}${separator}${items[i]}` : items[i]!;
    if (next.length > limit && out) return `${out}${separator}… and ${items.length - i} more`;
    out = next.length > limit ? `${next.slice(0, limit)}…` : next;
  }
  return out;
}

function names(evidence: readonly RuleEvidence[]): string {
  if (evidence.some((e) => e.power.resourceNames.length === 0)) return '';
  return joinCapped([...new Set(evidence.flatMap((e) => e.power.resourceNames))]);
}
function grants(evidence: readonly RuleEvidence[]): string {
  return joinCapped([...new Set(evidence.flatMap((e) => e.power.grants))]);
}

/** The data every power finding carries: what is granted, where, and whether resourceNames narrow it. */
function powerData(chains: readonly EvidenceChain[]): Record<string, string> {
  const evidence = chains.flatMap((c) => c.rules);
  const cluster = chains.some((c) => c.scope === 'cluster');
  return {
    grants: grants(evidence),
    scope: cluster ? 'cluster' : 'namespace',
    namespaces: cluster ? '' : joinCapped([...new Set(chains.map((c) => c.scope))]),
    resourceNames: names(evidence),
  };
}

interface RolePowers {
  readonly role: ResolvedRole | null;
  /** Rule evidence by rule id (rbac-csr-approve only when the role has both halves). */
  readonly evidence: ReadonlyMap<RbacRuleId, readonly RuleEvidence[]>;
  readonly approval: readonly RuleEvidence[];
  readonly signers: readonly RuleEvidence[];
}

// What a role grants does not depend on who asks nor through which binding: computed once per role
// (keyed by the index's rules array of the role, which every binding to it shares).
const rolePowersCache = new WeakMap<
  readonly ResolvedRule[],
  { cluster?: Omit<RolePowers, 'role'>; namespace?: Omit<RolePowers, 'role'> }
>();
const NO_RULES: readonly ResolvedRule[] = [];

function rolePowers(index: RbacIndex, binding: BindingObject): RolePowers {
  const role = bindingRole(index, binding);
  const rules = role?.rules ?? NO_RULES;
  const clusterWide = binding.kind === 'ClusterRoleBinding';
  let cached = rolePowersCache.get(rules);
  if (!cached) rolePowersCache.set(rules, (cached = {}));
  let powers = clusterWide ? cached.cluster : cached.namespace;
  if (!powers) {
    const evidence = new Map<RbacRuleId, RuleEvidence[]>();
    for (const [id, asks] of Object.entries(ASKS) as [RbacRuleId, readonly Ask[]][]) {
      const found = rulesGranting(role, (rule) => ask(rule, asks, clusterWide));
      if (found.length) evidence.set(id, found);
    }
    const wild = rulesGranting(role, wildcards);
    if (wild.length) evidence.set('rbac-wildcard', wild);
    const approval = rulesGranting(role, (rule) => ask(rule, [CSR_APPROVAL], clusterWide));
    const signers = rulesGranting(role, (rule) => ask(rule, [SIGNER_APPROVE], clusterWide));
    if (approval.length && signers.length) evidence.set('rbac-csr-approve', [...approval, ...signers]);
    powers = { evidence, approval, signers };
    if (clusterWide) cached.cluster = powers;
    else cached.namespace = powers;
  }
  if (binding.roleRef.kind === 'ClusterRole' && binding.roleRef.name === 'cluster-admin') {
    const evidence = new Map(powers.evidence);
    evidence.set('rbac-cluster-admin-binding', []);
    return { ...powers, role, evidence };
  }
  return { ...powers, role };
}

/** The powers one role gives through one binding (before exemptions), by rule id. */
function bindingPowers(
  index: RbacIndex,
  binding: BindingObject,
  subjects: readonly Subject[],
): Map<RbacRuleId, EvidenceChain> {
  const { role, evidence } = rolePowers(index, binding);
  return new Map([...evidence].map(([id, rules]) => [id, chain(binding, subjects, role, rules)]));
}

function csrData(chains: readonly EvidenceChain[]): Record<string, string> {
  const signerRules = chains
    .flatMap((c) => c.rules)
    .filter((e) => e.power.grants.some((g) => g.includes('signers')));
  return { ...powerData(chains), signers: names(signerRules) || '*' };
}

/**
 * Findings about one binding: what its role lets its subjects do. rbac-anonymous-binding and
 * rbac-cluster-admin-binding are about the subjects (anonymous ones; non-system ones for cluster-admin);
 * the others about the role's rules. A built-in Kubernetes binding gets its findings marked exempt with
 * the shipped reason (they stay in the report), unless it was changed from the built-in content.
 */
export function bindingFindings(index: RbacIndex, binding: BindingObject): PowerFinding[] {
  const powers = bindingPowers(index, binding, binding.subjects);
  const anonymous = binding.subjects.filter(isAnonymousSubject);
  const role = bindingRole(index, binding);
  const findings: PowerFinding[] = [];
  const add = (ruleId: RbacRuleId, messageId: string, data: Record<string, string>, c: EvidenceChain) => {
    const exemption = builtinExemption(binding, role, ruleId);
    findings.push({
      ruleId,
      severity: RBAC_RULE_SEVERITY[ruleId],
      messageId,
      data: {
        binding: `${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`,
        role: `${binding.roleRef.kind} ${binding.roleRef.name}`,
        ...data,
      },
      chains: [c],
      ...(exemption ? { exempted: { by: 'builtin', reason: exemption } } : {}),
    });
  };
  if (anonymous.length > 0) {
    const c = chain(binding, anonymous, role, []);
    add(
      'rbac-anonymous-binding',
      role ? 'anonymousBinding' : 'anonymousBindingMissingRole',
      { subjects: joinCapped(anonymous.map((s) => s.name)), scope: scopeOf(binding) },
      c,
    );
  }
  for (const [ruleId, c] of powers) {
    if (ruleId === 'rbac-cluster-admin-binding') {
      const subjects = binding.subjects.filter((s) => !isSystemComponentSubject(s));
      if (subjects.length === 0) continue;
      add(
        ruleId,
        'clusterAdminBinding',
        { subjects: joinCapped(subjects.map(describeSubject)), scope: scopeOf(binding) },
        { ...c, subjects },
      );
    } else if (ruleId === 'rbac-csr-approve') add(ruleId, 'binding', csrData([c]), c);
    else add(ruleId, 'binding', powerData([c]), c);
  }
  return findings;
}

export function describeSubject(subject: Subject): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount ${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

export interface ServiceAccountOptions {
  /**
   * Whether the workload's pods get the account's token (automountServiceAccountToken, the pod's value
   * winning over the account's). Without a token the power is one step less severe: it takes a token
   * requested some other way to use it.
   */
  readonly tokenMounted?: boolean;
}

function lower(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}

/**
 * A service account's effective powers, across every binding that applies to its identity (its user
 * name and the groups system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated): one
 * finding per rule id, with every binding → role → rule chain that gives it. A RoleBinding in another
 * namespace counts for that namespace. Built-in exemptions are not applied here: a workload running as
 * a built-in controller's account is itself worth a look. rbac-csr-approve needs both halves, from any
 * bindings. rbac-anonymous-binding does not apply to an account.
 */
export function serviceAccountFindings(
  index: RbacIndex,
  namespace: string,
  name: string,
  options: ServiceAccountOptions = {},
): PowerFinding[] {
  const identity = serviceAccountIdentity(namespace, name);
  const byRule = new Map<RbacRuleId, EvidenceChain[]>();
  const approval: EvidenceChain[] = [];
  const signers: EvidenceChain[] = [];
  for (const binding of bindingsFor(index, identity.user, identity.groups)) {
    const { role, evidence, approval: a, signers: s } = rolePowers(index, binding);
    if (evidence.size === 0 && a.length === 0 && s.length === 0) continue;
    const matched = binding.subjects.filter(
      (subject) =>
        (subject.kind === 'Group' && identity.groups.includes(subject.name)) ||
        subjectUser(subject, binding.namespace) === identity.user,
    );
    for (const [ruleId, rules] of evidence) {
      if (ruleId === 'rbac-csr-approve') continue;
      const list = byRule.get(ruleId) ?? [];
      list.push(chain(binding, matched, role, rules));
      byRule.set(ruleId, list);
    }
    if (a.length) approval.push(chain(binding, matched, role, a));
    if (s.length) signers.push(chain(binding, matched, role, s));
  }
  if (approval.length && signers.length) byRule.set('rbac-csr-approve', [...approval, ...signers]);
  const mounted = options.tokenMounted ?? true;
  const findings: PowerFinding[] = [];
  for (const ruleId of RBAC_RULE_IDS) {
    const chains = byRule.get(ruleId);
    if (!chains) continue;
    const severity = mounted ? RBAC_RULE_SEVERITY[ruleId] : lower(RBAC_RULE_SEVERITY[ruleId]);
    const data = {
      serviceAccount: `${namespace}/${name}`,
      chain: joinCapped([...new Set(chains.map(describeChain))], '; '),
      tokenMounted: mounted ? 'yes' : 'no',
      ...(ruleId === 'rbac-csr-approve' ? csrData(chains) : powerData(chains)),
    };
    findings.push({
      ruleId,
      severity,
      messageId: ruleId === 'rbac-cluster-admin-binding' ? 'serviceAccountClusterAdmin' : 'serviceAccount',
      data,
      chains,
    });
  }
  return findings;
}

/** `ClusterRoleBinding x → ClusterRole y` (and `(aggregated from z)` when the rule came from aggregation). */
export function describeChain(c: EvidenceChain): string {
  const binding = `${c.binding.kind} ${c.binding.namespace ? `${c.binding.namespace}/` : ''}${c.binding.name}`;
  const role = c.role
    ? `${c.role.kind} ${c.role.namespace ? `${c.role.namespace}/` : ''}${c.role.name}`
    : '?';
  const from = [...new Set(c.rules.map((r) => r.aggregatedFrom).filter((x): x is string => !!x))];
  return `${binding} → ${role}${from.length ? ` (aggregated from ${from.join(', ')})` : ''}`;
}
