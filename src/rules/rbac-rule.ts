import type { Localized } from '../engine/i18n.ts';
import { defineObjectRule, type CheckContext, type ObjectRule, type Reference } from '../engine/rule.ts';
import type { Facts, KubeObject } from '../engine/subject.ts';
import type { FieldPath } from '../shared/field-path.ts';
import type { BindingObject } from '../rbac/model.ts';
import {
  bindingFindings,
  describeChain,
  serviceAccountFindings,
  type EvidenceChain,
  describeSubject,
  joinCapped,
  RBAC_RULE_SEVERITY,
  type PowerFinding,
  type RbacRuleId,
} from '../rbac/powers.ts';
import { buildRbacIndex, type RbacIndex } from '../rbac/rbac-index.ts';
import { parseRbacObject, type ParseResult } from '../rbac/schema.ts';
import { cisReference } from './references.ts';
import { serviceAccountOf } from '../workloads/service-account.ts';
import { accountKey, serviceAccountSettings } from './service-account-token/accounts.ts';

/**
 * What the rbac-* rules share (docs/rbac.md): the scan's RBAC objects parsed and indexed once, the
 * findings of each binding computed once for all of them, and the report drafts. Each rule keeps the
 * findings of its own id.
 */
const RBAC_KINDS = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

export const RBAC_GOOD_PRACTICES: Reference = {
  title: 'Kubernetes: Role Based Access Control Good Practices',
  url: 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
};
export const RBAC_REFERENCE: Reference = {
  title: 'Kubernetes: Using RBAC Authorization',
  url: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
};
export { cisReference };

interface RbacView {
  readonly index: RbacIndex;
  parse(object: KubeObject): ParseResult;
  findings(binding: BindingObject): readonly PowerFinding[];
  accountFindings(namespace: string, name: string, tokenMounted: boolean): readonly PowerFinding[];
}

function rbacView(facts: Facts): RbacView {
  return facts.derive('rbac-index', (f) => {
    const parsed = new WeakMap<object, ParseResult>();
    const parse = (object: KubeObject): ParseResult => {
      let result = parsed.get(object.object);
      if (!result) {
        const line = object.origin.lineOf?.([]);
        result = parseRbacObject(object.object, {
          ...(object.origin.file !== 'cluster'
            ? { source: { file: object.origin.file, ...(line !== undefined ? { line } : {}) } }
            : {}),
        });
        parsed.set(object.object, result);
      }
      return result;
    };
    const objects = RBAC_KINDS.flatMap((kind) => f.objects(kind))
      .map(parse)
      .flatMap((r) => (r.ok ? [r.object] : []));
    const index = buildRbacIndex(objects);
    const memo = new WeakMap<BindingObject, readonly PowerFinding[]>();
    // Many workloads share an account: its powers are resolved once per scan.
    const accounts = new Map<string, readonly PowerFinding[]>();
    return {
      index,
      parse,
      accountFindings(namespace, name, tokenMounted) {
        const key = `${namespace}\n${name}\n${tokenMounted}`;
        let found = accounts.get(key);
        if (!found)
          accounts.set(key, (found = serviceAccountFindings(index, namespace, name, { tokenMounted })));
        return found;
      },
      findings(binding) {
        let found = memo.get(binding);
        if (!found) memo.set(binding, (found = bindingFindings(index, binding)));
        return found;
      },
    };
  });
}

/** The messages of a rule about a power: on a binding or a workload, where it holds, and whether resourceNames narrow it. */
export type PowerMessageId =
  | 'cluster'
  | 'namespace'
  | 'clusterNamed'
  | 'namespaceNamed'
  | 'workloadCluster'
  | 'workloadNamespace'
  | 'workloadClusterNamed'
  | 'workloadNamespaceNamed';

/** A workload's message id: the binding's one, prefixed. */
export type WorkloadMessageId<M extends string> = `workload${Capitalize<M>}`;

export function isWorkloadFinding(finding: PowerFinding): boolean {
  return finding.messageId.startsWith('serviceAccount');
}

/** Messages of a workload's findings (`workloadCluster`, `workloadNamespace`) for a power phrased `power`. */
export function workloadMessages(
  power: Localized,
): Record<'workloadCluster' | 'workloadNamespace', Localized> {
  return {
    workloadCluster: {
      en: `Its service account {{serviceAccount}} can ${power.en} cluster-wide: {{chain}}.`,
      'zh-CN': `其 ServiceAccount {{serviceAccount}} 可以在整个集群范围内${power['zh-CN']}：{{chain}}。`,
    },
    workloadNamespace: {
      en: `Its service account {{serviceAccount}} can ${power.en} in namespace {{namespaces}}: {{chain}}.`,
      'zh-CN': `其 ServiceAccount {{serviceAccount}} 可以在命名空间 {{namespaces}} 中${power['zh-CN']}：{{chain}}。`,
    },
  };
}

/** Messages for a power phrased `power` ("read Secrets" / "读取 Secret"). */
export function powerMessages(power: Localized): Record<PowerMessageId, Localized> {
  const through = { en: '({{grants}}; through {{role}})', 'zh-CN': '（{{grants}}；通过 {{role}}）' };
  return {
    cluster: {
      en: `{{binding}} lets {{subjects}} ${power.en} cluster-wide ${through.en}.`,
      'zh-CN': `{{binding}} 允许 {{subjects}} 在整个集群范围内${power['zh-CN']}${through['zh-CN']}。`,
    },
    namespace: {
      en: `{{binding}} lets {{subjects}} ${power.en} in namespace {{namespaces}} ${through.en}.`,
      'zh-CN': `{{binding}} 允许 {{subjects}} 在命名空间 {{namespaces}} 中${power['zh-CN']}${through['zh-CN']}。`,
    },
    clusterNamed: {
      en: `{{binding}} lets {{subjects}} ${power.en} cluster-wide, for the objects named {{resourceNames}} only ${through.en}.`,
      'zh-CN': `{{binding}} 允许 {{subjects}} 在整个集群范围内${power['zh-CN']}，仅限名为 {{resourceNames}} 的对象${through['zh-CN']}。`,
    },
    namespaceNamed: {
      en: `{{binding}} lets {{subjects}} ${power.en} in namespace {{namespaces}}, for the objects named {{resourceNames}} only ${through.en}.`,
      'zh-CN': `{{binding}} 允许 {{subjects}} 在命名空间 {{namespaces}} 中${power['zh-CN']}，仅限名为 {{resourceNames}} 的对象${through['zh-CN']}。`,
    },
    ...workloadMessages(power),
    workloadClusterNamed: {
      en: `Its service account {{serviceAccount}} can ${power.en} cluster-wide, for the objects named {{resourceNames}} only: {{chain}}.`,
      'zh-CN': `其 ServiceAccount {{serviceAccount}} 可以在整个集群范围内${power['zh-CN']}，仅限名为 {{resourceNames}} 的对象：{{chain}}。`,
    },
    workloadNamespaceNamed: {
      en: `Its service account {{serviceAccount}} can ${power.en} in namespace {{namespaces}}, for the objects named {{resourceNames}} only: {{chain}}.`,
      'zh-CN': `其 ServiceAccount {{serviceAccount}} 可以在命名空间 {{namespaces}} 中${power['zh-CN']}，仅限名为 {{resourceNames}} 的对象：{{chain}}。`,
    },
  };
}

export function powerMessageId(finding: PowerFinding, narrowedByNames = true): PowerMessageId {
  const named = narrowedByNames && finding.data['resourceNames'] !== '';
  const cluster = finding.data['scope'] === 'cluster';
  if (isWorkloadFinding(finding))
    return cluster
      ? named
        ? 'workloadClusterNamed'
        : 'workloadCluster'
      : named
        ? 'workloadNamespaceNamed'
        : 'workloadNamespace';
  if (cluster) return named ? 'clusterNamed' : 'cluster';
  return named ? 'namespaceNamed' : 'namespace';
}

/** `cluster` / `namespace`, or `workloadCluster` / `workloadNamespace` for a workload's finding. */
export function scopeMessageId(
  finding: PowerFinding,
): 'cluster' | 'namespace' | 'workloadCluster' | 'workloadNamespace' {
  const cluster = finding.data['scope'] === 'cluster';
  if (isWorkloadFinding(finding)) return cluster ? 'workloadCluster' : 'workloadNamespace';
  return cluster ? 'cluster' : 'namespace';
}

export interface RbacRuleSpec<M extends string> {
  readonly id: RbacRuleId;
  readonly title: Localized;
  readonly messages: Readonly<Record<M, Localized>>;
  /** The message of one finding of this rule. */
  readonly messageId: (finding: PowerFinding) => M;
  /** Where in the binding the finding points. */
  readonly path: (finding: PowerFinding, binding: BindingObject) => FieldPath;
  readonly docs: ObjectRule<M, 'rbac'>['meta']['docs'];
  /** Whether the rule also reports workloads whose service account has the power (all but anonymous bindings). */
  readonly onWorkloads: boolean;
}

/**
 * A rule on RoleBindings and ClusterRoleBindings reporting the power `spec.id` of docs/rbac.md. A
 * binding that does not validate is reported once, as an error of rbac-anonymous-binding (the first of
 * these rules), naming the object and the field.
 */
export function defineRbacRule<M extends string>(spec: RbacRuleSpec<M>): ObjectRule<M, 'rbac'> {
  return defineObjectRule<M, 'rbac'>({
    meta: {
      id: spec.id,
      subject: 'rbac',
      // An account's own automountServiceAccountToken lowers the severity on its workloads.
      ...(spec.onWorkloads ? { facts: ['ServiceAccount'] } : {}),
      title: spec.title,
      category: 'hardening',
      severity: RBAC_RULE_SEVERITY[spec.id],
      pss: null,
      messages: spec.messages,
      docs: spec.docs,
    },
    check(context) {
      const { subject } = context;
      if (subject.kind !== 'RoleBinding' && subject.kind !== 'ClusterRoleBinding') return;
      const view = rbacView(context.facts);
      const parsed = view.parse(subject);
      if (!parsed.ok) {
        if (spec.id === 'rbac-anonymous-binding')
          throw new Error(`invalid RBAC object, not inspected by the rbac-* rules: ${parsed.problem}`);
        return;
      }
      const binding = parsed.object as BindingObject;
      for (const finding of view.findings(binding)) {
        if (finding.ruleId !== spec.id) continue;
        context.report({
          messageId: spec.messageId(finding),
          data: { subjects: joinCapped(binding.subjects.map(describeSubject)), ...finding.data },
          path: spec.path(finding, binding),
          evidence: capEvidence(chainEvidence(finding.chains[0]!)),
          ...(finding.exempted
            ? { presetExemption: { preset: 'kubernetes-rbac', reason: finding.exempted.reason.en } }
            : {}),
        });
      }
    },
    ...(spec.onWorkloads
      ? {
          checkWorkload(context: CheckContext<M>) {
            // Only what a chain shows is reported, so objects the scan could not read hide a power but
            // never invent one.
            const view = rbacView(context.facts);
            const spec_ = context.podSpec;
            const account = serviceAccountOf(spec_);
            const namespace = context.workload.namespace ?? 'default';
            // The pod's setting wins; unset, the kubelet follows the account's own (when the scan read it).
            const podSetting = spec_.automountServiceAccountToken;
            const accountSetting = serviceAccountSettings(context.facts).get(
              accountKey(context.workload.namespace, account),
            );
            const tokenMounted =
              podSetting === false ? false : podSetting === true ? true : accountSetting !== false;
            const noToken =
              podSetting === false
                ? 'the pods mount no service account token (automountServiceAccountToken: false): one severity step lower'
                : `ServiceAccount ${namespace}/${account} sets automountServiceAccountToken: false and the pods do not override it: one severity step lower`;
            for (const finding of view.accountFindings(namespace, account, tokenMounted)) {
              if (finding.ruleId !== spec.id) continue;
              context.report({
                messageId: spec.messageId(finding),
                data: finding.data,
                severity: finding.severity,
                path: [...context.podSpecPath, 'serviceAccountName'],
                evidence: [
                  ...capEvidence(finding.chains.flatMap((chain) => chainEvidence(chain))),
                  ...(tokenMounted ? [] : [noToken]),
                ],
              });
            }
          },
        }
      : {}),
  });
}

/** Reports keep at most 256 evidence lines: the first 200, then how many more there are. */
function capEvidence(lines: readonly string[]): readonly string[] {
  return lines.length <= 200 ? lines : [...lines.slice(0, 200), `… and ${lines.length - 200} more lines`];
}

function chainEvidence(chain: EvidenceChain): string[] {
  const role = chain.role
    ? `${chain.role.kind} ${chain.role.namespace ? `${chain.role.namespace}/` : ''}${chain.role.name}`
    : '';
  return [
    describeChain(chain),
    ...chain.rules.map(
      (r) =>
        `  ${r.aggregatedFrom ? `ClusterRole ${r.aggregatedFrom}` : role} rules[${r.ruleIndex}]: ${joinCapped(r.power.grants)}${r.power.resourceNames.length ? ` (resourceNames: ${joinCapped(r.power.resourceNames)})` : ''}`,
    ),
  ];
}

/** The path of a power finding: the role reference through which the power comes. */
export const roleRefPath = (): FieldPath => ['roleRef'];

export interface PowerRuleSpec {
  readonly id: RbacRuleId;
  readonly title: Localized;
  /** The power in a phrase that fits "lets X … cluster-wide" / "允许 X 在……范围内……". */
  readonly power: Localized;
  readonly why: Localized;
  readonly fix: Localized;
  /** Why the default severity is what it is. */
  readonly severity: Localized;
  /** Lines of the YAML snippet. */
  readonly snippet: readonly string[];
  /** The CIS Kubernetes Benchmark item, when there is one. */
  readonly cis?: string;
  /** Cluster-scoped resources only: a RoleBinding never grants the power (no namespace messages). */
  readonly clusterOnly?: boolean;
  /**
   * Whether the message says "for the objects named …": false when resourceNames can never narrow it
   * (create has no name) or when the power takes several rules whose names mean different things.
   */
  readonly narrowedByNames: boolean;
}

/** A rule about one power of docs/rbac.md, on bindings and on workloads, with the shared messages. */
export function definePowerRule(spec: PowerRuleSpec): ObjectRule<PowerMessageId, 'rbac'> {
  return defineRbacRule<PowerMessageId>({
    id: spec.id,
    title: spec.title,
    // Only the messages the power can produce, so that every message is one a case can expect.
    messages: Object.fromEntries(
      Object.entries(powerMessages(spec.power)).filter(
        ([id]) =>
          (spec.narrowedByNames || !id.endsWith('Named')) && (!spec.clusterOnly || !/amespace/.test(id)),
      ),
    ) as Record<PowerMessageId, Localized>,
    messageId: (finding) => powerMessageId(finding, spec.narrowedByNames),
    path: roleRefPath,
    onWorkloads: true,
    docs: {
      severity: spec.severity,
      why: spec.why,
      fix: spec.fix,
      snippet: spec.snippet.join('\n'),
      references: [RBAC_GOOD_PRACTICES, RBAC_REFERENCE, ...(spec.cis ? [cisReference(spec.cis)] : [])],
    },
  });
}
