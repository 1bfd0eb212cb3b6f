import type { ConfigExemption } from '../engine/exemptions.ts';
import { EXEMPT_ANNOTATION_PREFIX } from '../engine/exemptions.ts';
import { anyGlobMatch } from '../engine/glob.ts';
import type { Language } from '../engine/i18n.ts';
import { PSS_ENFORCE_VERSION_LABEL, type NamespaceAdvice } from '../engine/pod-security-level.ts';
import type { ExemptionPreset } from '../engine/presets.ts';
import { formatPssVersion, type PssVersion } from '../engine/pss-version.ts';
import type { AnyRule, RuleOptionValues } from '../engine/rule.ts';
import { ANNOTATIONS, HAS_ANNOTATIONS, NOT_EXPORTABLE, RULE_CEL } from './rule-cel.ts';
import { celAnyGlob, celMessage, celString, celStrings } from './cel.ts';

import type { ValidationAction } from './actions.ts';

export { VALIDATION_ACTIONS, type ValidationAction } from './actions.ts';

/** What an export is made of, resolved from the config, the flags and the rules (cli/policy.ts). */
export interface PolicyExportInput {
  /** The rules asked for (all active ones when `--rules` is not given), each with its option values. */
  readonly rules: readonly { rule: AnyRule; options: RuleOptionValues }[];
  /** Whether the rules were named (`--rules`): then one that cannot be exported is an error. */
  readonly named: boolean;
  readonly version: PssVersion;
  readonly action: ValidationAction;
  readonly lang: Language;
  readonly exemptions: readonly ConfigExemption[];
  readonly presets: readonly ExemptionPreset[];
  /** The config's scan scope: the policies apply where a scan would look. */
  readonly scope: { readonly namespaces?: readonly string[]; readonly excludeNamespaces?: readonly string[] };
  /** For expiry: an exemption already expired is not exported. */
  readonly now: Date;
  /** Namespaces' PSS advice (a report's podSecurity), to export as namespace labels. */
  readonly podSecurity?: { readonly version: string; readonly namespaces: readonly NamespaceAdvice[] };
}

export interface PolicyExport {
  /** The YAML stream's leading comment, one line a string (without `# `). */
  readonly header: readonly string[];
  readonly documents: readonly Record<string, unknown>[];
  /** Rules asked for that are not exported, and why. */
  readonly skipped: readonly { ruleId: string; reason: string }[];
  /** Config exemptions that matter to an exported rule but cannot apply to a Pod at admission. */
  readonly notes: readonly string[];
}

export class PolicyExportError extends Error {}

/** The label each validation action sets on a namespace for PSA: the same staged rollout. */
const PSA_MODE: Record<ValidationAction, string> = {
  Deny: 'enforce',
  Warn: 'warn',
  Audit: 'audit',
};

/** Exported objects carry it, so `kubectl get vap -l` finds them and a re-export replaces them. */
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'kube-patrol' };

export function exportPolicies(input: PolicyExportInput): PolicyExport {
  const skipped: { ruleId: string; reason: string }[] = [];
  const notes: string[] = [];
  const documents: Record<string, unknown>[] = [];
  for (const { rule, options } of input.rules) {
    const id = rule.meta.id;
    const reason = whyNotExportable(rule, input.presets);
    if (reason) {
      if (input.named) throw new PolicyExportError(`rule ${id} cannot be exported: ${reason}`);
      skipped.push({ ruleId: id, reason });
      continue;
    }
    const cel = RULE_CEL.get(id)!;
    const ids = [id, ...(rule.meta.aliases ?? [])];
    const exemptions = exemptionsFor(ids, input, notes);
    const name = `kube-patrol-${id}`;
    const scope = scopeCondition(input.scope);
    documents.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: {
        name,
        labels: MANAGED_BY,
        annotations: {
          'kube-patrol.io/rule': id,
          'kube-patrol.io/pss-version': formatPssVersion(input.version),
        },
      },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
          ],
        },
        ...(scope ? { matchConditions: [{ name: 'in-kube-patrol-scope', expression: scope }] } : {}),
        variables: [
          { name: 'findings', expression: cel.findings({ version: input.version, options }) },
          {
            name: 'open',
            expression: `variables.findings.filter(f, !(${exemptedCel(ids, exemptions, 'f')}))`,
          },
        ],
        validations: [
          {
            expression: 'variables.open.size() == 0',
            messageExpression: messageCel(rule, input.lang),
            reason: 'Forbidden',
          },
        ],
      },
    });
    documents.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: MANAGED_BY },
      spec: { policyName: name, validationActions: [input.action] },
    });
  }
  for (const advice of input.podSecurity?.namespaces ?? []) {
    if (advice.command === null) continue;
    const mode = PSA_MODE[input.action];
    documents.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: advice.namespace,
        labels: {
          [`pod-security.kubernetes.io/${mode}`]: advice.level,
          [mode === 'enforce' ? PSS_ENFORCE_VERSION_LABEL : `pod-security.kubernetes.io/${mode}-version`]:
            input.podSecurity!.version,
        },
      },
    });
  }
  return { header: header(input, documents, skipped), documents, skipped, notes };
}

function whyNotExportable(rule: AnyRule, presets: readonly ExemptionPreset[]): string | undefined {
  const id = rule.meta.id;
  if (rule.meta.pss !== null)
    return 'a Pod Security Standards check: enforce it with Pod Security admission namespace labels (see the header)';
  if (rule.meta.subject !== 'pod-spec') return `it inspects ${rule.meta.subject} objects, not pods`;
  if (NOT_EXPORTABLE[id]) return NOT_EXPORTABLE[id];
  if (!RULE_CEL.has(id)) return 'no CEL definition of it exists';
  // Presets match agents by image and host path in ways the policies do not restate.
  const preset = presets.find((p) => p.rules.has(id));
  if (preset) return `the exemption preset ${preset.id} covers it, which a policy does not restate`;
  return undefined;
}

/** The config exemptions of these rule ids that can apply to a Pod now; notes the others. */
function exemptionsFor(ids: readonly string[], input: PolicyExportInput, notes: string[]): ConfigExemption[] {
  const out: ConfigExemption[] = [];
  for (const entry of input.exemptions) {
    if (!entry.rules.some((r) => r === '*' || ids.includes(r))) continue;
    const what = `exemption "${entry.reason}" (rules ${entry.rules.join(', ')})`;
    if (entry.expires && entry.expires.getTime() <= input.now.getTime()) {
      notes.push(`${what}: expired on ${entry.expires.toISOString()}, not exported`);
      continue;
    }
    if (!anyGlobMatch(entry.kinds, 'Pod')) {
      notes.push(
        `${what}: names kinds ${entry.kinds?.join(', ')}; at admission the policies see Pods (whose names the controller generates), so it does not apply there`,
      );
      continue;
    }
    if (entry.expires)
      notes.push(
        `${what}: expires ${entry.expires.toISOString()}; the policy keeps exempting until it is re-exported`,
      );
    out.push(entry);
  }
  return out;
}

/**
 * CEL: whether the finding `item` is exempted, as engine/run.ts decides it: a `kube-patrol.io/exempt.<id>`
 * annotation with a reason (or `.<id>.<container>` for the finding's container), or a config exemption
 * whose namespace, name and container globs match.
 */
function exemptedCel(ids: readonly string[], exemptions: readonly ConfigExemption[], item: string): string {
  const key = (suffix: string) => `${celString(EXEMPT_ANNOTATION_PREFIX)} + id${suffix}`;
  const has = (k: string) =>
    `(${HAS_ANNOTATIONS} && (${k}) in ${ANNOTATIONS} && ${ANNOTATIONS}[${k}].trim() != '')`;
  const annotation = `${celStrings(ids)}.exists(id, ${has(key(''))} || (${item}.c != '' && ${has(key(` + '.' + ${item}.c`))}))`;
  const config = exemptions.map((e) => {
    const parts = [
      celAnyGlob('request.namespace', e.namespaces),
      celAnyGlob('object.metadata.name', e.names),
      e.containers && e.containers.length > 0
        ? `(${item}.c != '' && ${celAnyGlob(`${item}.c`, e.containers)})`
        : 'true',
    ].filter((p) => p !== 'true');
    return parts.length === 0 ? 'true' : `(${parts.join(' && ')})`;
  });
  return [annotation, ...config].join(' || ');
}

/** CEL: the pod is in the config's scan scope (no condition when the scope is every namespace). */
function scopeCondition(scope: PolicyExportInput['scope']): string | undefined {
  const parts: string[] = [];
  if (scope.namespaces && scope.namespaces.length > 0)
    parts.push(celAnyGlob('request.namespace', scope.namespaces));
  if (scope.excludeNamespaces && scope.excludeNamespaces.length > 0)
    parts.push(`!${celAnyGlob('request.namespace', scope.excludeNamespaces)}`);
  return parts.length > 0 ? parts.join(' && ') : undefined;
}

/** CEL: the rule's message for the first finding not exempted, and how many more there are. */
function messageCel(rule: AnyRule, lang: Language): string {
  const entries = Object.entries(rule.meta.messages);
  let text = "''";
  for (const [messageId, message] of entries.reverse())
    text = `f.m == ${celString(messageId)} ? ${celMessage(message[lang], 'f')} : ${text}`;
  const more =
    lang === 'zh-CN'
      ? `'（另有 ' + string(variables.open.size() - 1) + ' 处）'`
      : `' (and ' + string(variables.open.size() - 1) + ' more)'`;
  return `${celString(`kube-patrol ${rule.meta.id}: `)} + variables.open.map(f, ${text})[0] + (variables.open.size() > 1 ? ${more} : '')`;
}

function header(
  input: PolicyExportInput,
  documents: readonly Record<string, unknown>[],
  skipped: readonly { ruleId: string; reason: string }[],
): string[] {
  const exported = documents
    .filter((d) => d['kind'] === 'ValidatingAdmissionPolicy')
    .map(
      (d) => (d['metadata'] as { annotations: Record<string, string> }).annotations['kube-patrol.io/rule'],
    );
  const labels = documents.filter((d) => d['kind'] === 'Namespace').length;
  return [
    `kube-patrol policy export: ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, CEL) for the`,
    `hardening rules at PSS version ${formatPssVersion(input.version)}, validationActions [${input.action}]. docs/admission.md.`,
    `Exported: ${exported.length > 0 ? exported.join(', ') : 'none'}.`,
    ...skipped
      .filter((s) => !s.reason.startsWith('a Pod Security Standards check'))
      .map((s) => `Not exported: ${s.ruleId}: ${s.reason}.`),
    'The Pod Security Standards themselves are not exported as policies: Pod Security admission enforces',
    'them exactly, per namespace, with the pod-security.kubernetes.io labels.',
    labels > 0
      ? `The Namespace objects below set those labels (mode ${PSA_MODE[input.action]}) to the strictest level each namespace's workloads pass; apply them with kubectl apply --server-side.`
      : 'Give --pss-labels REPORT.json (a scan report) to export those labels per namespace; the report lists them too.',
    'Staged rollout: export with --action Audit, then Warn, then Deny, re-applying the same objects.',
    'The policies match Pod CREATE requests (also those of controllers): an exemption annotation must be on',
    'the pod template, and config exemptions that name a Deployment do not reach its Pods.',
  ];
}
