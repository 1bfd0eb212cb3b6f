import { Command } from 'commander';
import { createRegistry, type RuleRegistry } from '../engine/registry.ts';
import { ALL_RULES } from '../rules/index.ts';
import { toolVersion } from '../version.ts';
import { registerFixCommand } from './fix.ts';
import { registerFleetCommand } from './fleet.ts';
import { registerOperatorCommand } from './operator.ts';
import { registerReportCommand } from './report.ts';
import { registerRulesCommand } from './rules.ts';
import { registerScanCommand } from './scan.ts';
import { registerSeccompCommand } from './seccomp.ts';

/** The CLI's composition root: the rule registry is chosen here and handed to every command. */
export function buildProgram(registry: RuleRegistry = createRegistry(ALL_RULES)): Command {
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
  return program;
}
