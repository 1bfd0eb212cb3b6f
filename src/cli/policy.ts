import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { z } from '../shared/zod.ts';
import { exportPolicies, PolicyExportError, type ValidationAction } from '../admission/export.ts';
import { exportMutations } from '../admission/mutations.ts';
import { ConfigError } from '../config/load.ts';
import type { Language } from '../engine/i18n.ts';
import { PssVersionError } from '../engine/pss-version.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { ruleOptions } from '../engine/run.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import { reportNamespaceAdviceSchema, reportPodSecurityHeadSchema } from '../report/stored-schema.ts';
import { writeError, writeStdout } from './options.ts';
import { loadConfigOrDefault } from './scan.ts';

export interface PolicyExportOptions {
  rules?: string;
  action: ValidationAction;
  config?: string;
  pssVersion?: string;
  lang?: Language;
  pssLabels?: string;
  mutating?: boolean;
}

const podSecuritySchema = reportPodSecurityHeadSchema.extend({
  namespaces: z.array(reportNamespaceAdviceSchema),
});

export async function runPolicyExport(registry: RuleRegistry, options: PolicyExportOptions): Promise<number> {
  try {
    const config = await loadConfigOrDefault(options.config, registry);
    const now = new Date();
    const settings = resolveSettings(registry, config, options, now);
    const named = options.rules !== undefined;
    const ids = named
      ? (options.rules as string)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    const rules = named
      ? ids.map((id) => {
          const rule = registry.rules.find((r) => r.meta.id === id || r.meta.aliases?.includes(id));
          if (!rule)
            throw new PolicyExportError(`unknown rule "${id}" (run \`kube-patrol rules\` for the list)`);
          return rule;
        })
      : settings.activeRules;
    if (options.mutating) {
      const mutations = exportMutations(rules, named);
      const header = [
        '# kube-patrol policy export --mutating: MutatingAdmissionPolicies (admissionregistration.k8s.io/v1, GA in',
        '# v1.36) that apply the safe machine fixes to Pods at creation. docs/admission.md.',
        ...mutations.skipped.map((s) => `# No mutating policy: ${s.ruleId}: ${s.reason}.`),
      ].join('\n');
      const body = mutations.documents
        .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
        .join('---\n');
      await writeStdout(`${header}\n---\n${body}`);
      return 0;
    }
    const podSecurity = options.pssLabels ? await readPodSecurity(options.pssLabels) : undefined;
    const result = exportPolicies({
      rules: rules.map((rule) => ({
        rule,
        options: ruleOptions(rule, settings.engine.rulePolicy?.[rule.meta.id]),
      })),
      named,
      version: settings.engine.version,
      action: options.action,
      lang: settings.lang,
      exemptions: settings.engine.exemptions ?? [],
      presets: settings.engine.presets ?? [],
      scope: config.scope ?? {},
      now,
      ...(podSecurity ? { podSecurity } : {}),
    });
    for (const note of result.notes) writeError(`note: ${note}`);
    const header = result.header.map((line) => `# ${line}`).join('\n');
    const body = result.documents
      .map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n');
    await writeStdout(`${header}\n---\n${body}`);
    return 0;
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof PssVersionError ||
      error instanceof PolicyExportError
    ) {
      writeError(error.message);
      return 2;
    }
    throw error;
  }
}

/** The podSecurity advice of a scan report (`kube-patrol scan -o json`). */
async function readPodSecurity(file: string) {
  let report: unknown;
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PolicyExportError(`--pss-labels ${file}: ${(error as Error).message}`);
  }
  const advice = (report as { podSecurity?: unknown } | null)?.podSecurity;
  if (advice === undefined)
    throw new PolicyExportError(
      `--pss-labels ${file}: the report has no podSecurity advice (scan with the rule namespace-pss-unenforced on)`,
    );
  const parsed = podSecuritySchema.safeParse(advice);
  if (!parsed.success)
    throw new PolicyExportError(
      `--pss-labels ${file}: podSecurity is not valid: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}
