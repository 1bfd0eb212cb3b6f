import { Option, type Command } from 'commander';
import { VALIDATION_ACTIONS } from '../../admission/actions.ts';
import { parseLanguageOption } from '../options.ts';
import type { PolicyExportOptions } from '../policy.ts';
import type { LoadRegistry } from '../program.ts';

export function registerPolicyCommand(program: Command, registry: LoadRegistry): void {
  const policy = program.command('policy').description('admission policies generated from the rules');
  policy
    .command('export')
    .description(
      'print ValidatingAdmissionPolicies (+ bindings) for the hardening rules CEL can express, as a YAML stream',
    )
    .option('--rules <ids>', 'comma-separated rule ids (default: every exportable rule the config leaves on)')
    .addOption(
      new Option(
        '--action <action>',
        'validationActions of the bindings (staged rollout: Audit → Warn → Deny)',
      )
        .choices(VALIDATION_ACTIONS)
        .default('Deny'),
    )
    .option('--config <file>', 'kube-patrol config: exemptions, scope, rule options and severities')
    .option('--pss-version <version>', 'Pod Security Standards version: latest or v1.25 and up')
    .option('--lang <lang>', 'language of the policy messages: en or zh-CN', parseLanguageOption)
    .option(
      '--pss-labels <report.json>',
      "also export each namespace's Pod Security labels from a scan report's advice (podSecurity)",
    )
    .option(
      '--mutating',
      'print MutatingAdmissionPolicies (+ bindings) that apply the safe machine fixes instead',
    )
    .action(async (options: PolicyExportOptions) => {
      const { runPolicyExport } = await import('../policy.ts');
      process.exitCode = await runPolicyExport(await registry(), options);
    });
}
