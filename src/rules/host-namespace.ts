import type { Localized } from '../engine/i18n.ts';
import { defineRule, type Rule } from '../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, PSS_REFERENCE, cisReference } from './references.ts';

/** The pod spec fields that put a pod into one of the node's namespaces (upstream check hostNamespaces). */
export type HostNamespaceField = 'hostIPC' | 'hostNetwork' | 'hostPID';

/** What differs between the three host-namespace rules: the field and the words. */
export interface HostNamespaceRuleSpec<F extends HostNamespaceField> {
  readonly id: string;
  readonly field: F;
  readonly title: Localized;
  /** The finding's message; its id is the field name. */
  readonly message: Localized;
  readonly why: Localized;
  readonly fix: Localized;
  /** The CIS Kubernetes Benchmark item. */
  readonly cis: string;
  /** Why the default severity (high) is what it is. */
  readonly severityWhy: Localized;
}

/** One rule per host namespace: `spec.<field>: true` fails (PSS baseline, severity high). */
export function hostNamespaceRule<F extends HostNamespaceField>(spec: HostNamespaceRuleSpec<F>): Rule<F> {
  const messages = { [spec.field]: spec.message } as Record<F, Localized>;
  return defineRule<F>({
    meta: {
      id: spec.id,
      subject: 'pod-spec',
      title: spec.title,
      category: 'pod-security',
      severity: 'high',
      pss: { level: 'baseline', check: 'hostNamespaces' },
      messages,
      docs: {
        why: spec.why,
        fix: spec.fix,
        snippet: [`${spec.field}: false`, 'containers:', '  - name: app'].join('\n'),
        references: [PSS_REFERENCE.baseline, cisReference(spec.cis), NSA_HARDENING_REFERENCE],
        severity: spec.severityWhy,
      },
    },
    check(context) {
      if (context.podSpec[spec.field] === true) {
        context.report({ messageId: spec.field, path: [...context.podSpecPath, spec.field] });
      }
    },
  });
}
