import { Command } from 'commander';
import type { RuleRegistry } from '../engine/registry.ts';
import { toolVersion } from '../version.ts';
import { registerFixCommand } from './commands/fix.ts';
import { registerFleetCommand } from './commands/fleet.ts';
import { registerOperatorCommand } from './commands/operator.ts';
import { registerPolicyCommand } from './commands/policy.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRulesCommand } from './commands/rules.ts';
import { registerScanCommand } from './commands/scan.ts';
import { registerSeccompCommand } from './commands/seccomp.ts';

/**
 * The rule registry, built when a command first needs it. `--help`, `--version` and a usage error never
 * load the rules; a command's action awaits this once.
 */
export type LoadRegistry = () => Promise<RuleRegistry>;

function allRules(): LoadRegistry {
  let built: Promise<RuleRegistry> | undefined;
  return () =>
    (built ??= Promise.all([import('../engine/registry.ts'), import('../rules/index.ts')]).then(
      ([{ createRegistry }, { ALL_RULES }]) => createRegistry(ALL_RULES),
    ));
}

/**
 * The CLI's composition root: the rule registry is chosen here and handed to every command.
 *
 * Start-up (issue 17): this tree is built on every run, `--help` included, so it holds only the command
 * definitions (src/cli/commands/*.ts: commander options and light parsers). Each action imports its
 * implementation (src/cli/<command>.ts) when it runs: a file scan never loads the operator's logging,
 * metrics, cron or HTTP client. test/unit/cli-startup.test.ts guards it.
 */
export function buildProgram(registry: LoadRegistry = allRules()): Command {
  const program = new Command('kube-patrol')
    .description(
      'Inspects the security configuration of Kubernetes workloads (Pod Security Standards and hardening advice).',
    )
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride((error) => {
      // commander exits 1 on usage errors; our contract reserves 1 for findings.
      process.exit(error.exitCode === 0 ? 0 : 2);
    });
  registerScanCommand(program, registry);
  registerFixCommand(program, registry);
  registerRulesCommand(program, registry);
  registerOperatorCommand(program, registry);
  registerReportCommand(program, registry);
  registerSeccompCommand(program);
  registerFleetCommand(program, registry);
  registerPolicyCommand(program, registry);
  return program;
}
