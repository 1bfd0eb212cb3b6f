import type { Command } from 'commander';
import type { OperatorFlags } from '../operator.ts';
import type { LoadRegistry } from '../program.ts';
import { addKubeOptions, DEFAULT_NAMESPACE } from './kube-options.ts';

export function registerOperatorCommand(program: Command, registry: LoadRegistry): void {
  const command = program
    .command('operator')
    .description(
      'run the in-cluster operator: scan at start, on a cron schedule (and on changes), write reports to ConfigMaps',
    )
    .option(
      '--config <file>',
      'operator config file (YAML; see docs/operator.md); defaults apply without one',
    )
    .option(
      '-n, --namespace <ns>',
      `out of the cluster: namespace for reports, the Lease and Events (default: the context's, else ${DEFAULT_NAMESPACE}); in a pod: its own namespace`,
    )
    .option('--once', 'scan once, write the report, and exit (0 written, 2 failed)')
    .option('--port <port>', 'health and metrics port (overrides server.port; 0 picks a free one)')
    .option('--no-leader-elect', 'do not take the Lease (a single replica, or local runs)')
    .option('--log-level <level>', 'pino log level', 'info');
  addKubeOptions(command).action(async (flags: OperatorFlags) => {
    // pino, prom-client, node-cron and the controller load here: only the operator pays for them.
    const { runOperatorCommand } = await import('../operator.ts');
    process.exitCode = await runOperatorCommand(await registry(), flags);
  });
}
