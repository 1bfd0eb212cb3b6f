import { Command } from 'commander';
import { toolVersion } from '../version.ts';
import { registerOperatorCommand } from './operator.ts';
import { registerReportCommand } from './report.ts';
import { registerRulesCommand } from './rules.ts';
import { registerScanCommand } from './scan.ts';

export function buildProgram(): Command {
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
  registerScanCommand(program);
  registerRulesCommand(program);
  registerOperatorCommand(program);
  registerReportCommand(program);
  return program;
}
