import { compileTemplate, fillTemplate, type Language, type MessageTemplate } from '../engine/i18n.ts';
import type { Finding } from '../engine/finding.ts';
import type { AnyRule } from '../engine/rule.ts';
import { findingIds } from './finding-ids.ts';
import type { ReportFinding } from './model.ts';

/**
 * Turns engine findings into report findings: identity, message and remediation in the report language.
 * Message templates are compiled once per report, not once per finding.
 */
export function reportFindingBuilder(
  rules: readonly AnyRule[],
  lang: Language,
): (finding: Finding) => ReportFinding {
  const metaById = new Map(rules.map((rule) => [rule.meta.id, rule.meta]));
  const templates = new Map<string, MessageTemplate>();
  const ids = findingIds();
  return (finding) => {
    const meta = metaById.get(finding.ruleId);
    let message = finding.messageId;
    if (meta) {
      const text = meta.messages[finding.messageId]?.[lang] ?? finding.messageId;
      let template = templates.get(text);
      if (!template) templates.set(text, (template = compileTemplate(text)));
      // `{{container}}` is the finding's container unless the rule gave a value of that name.
      message = fillTemplate(template, (name) =>
        Object.hasOwn(finding.data, name)
          ? finding.data[name]
          : name === 'container'
            ? (finding.container ?? '')
            : undefined,
      );
    }
    return { id: ids(finding), ...finding, message, remediation: meta ? meta.docs.fix[lang] : '' };
  };
}

/** The remediation text reportFindingBuilder gives each finding of a rule (the same string for all). */
export function remediationTexts(rules: readonly AnyRule[], lang: Language): (ruleId: string) => string {
  const texts = new Map(rules.map((rule) => [rule.meta.id, rule.meta.docs.fix[lang]]));
  return (ruleId) => texts.get(ruleId) ?? '';
}
