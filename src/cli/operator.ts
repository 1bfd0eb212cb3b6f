import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { ConfigError, loadConfigFile, validateConfig } from '../config/load.ts';
import { operatorConfigSchema, type OperatorConfig } from '../config/operator.ts';
import { Operator } from '../controller/operator.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { DEFAULT_NAMESPACE } from './commands/kube-options.ts';
import { connectFromFlags, runningInCluster, serviceAccountNamespace, type KubeFlags } from './kube.ts';
import { writeError } from './options.ts';

export interface OperatorFlags extends KubeFlags {
  config?: string;
  namespace?: string;
  once?: boolean;
  port?: string;
  logLevel?: string;
  leaderElect?: boolean;
}

// The namespace lives beside the command's options (its help text names it); exported here as before.
export { DEFAULT_NAMESPACE } from './commands/kube-options.ts';

export async function loadOperatorConfig(
  file: string | undefined,
  registry: RuleRegistry,
): Promise<OperatorConfig> {
  return file
    ? loadConfigFile(file, registry.knownIds, operatorConfigSchema, registry.knownOptions)
    : validateConfig('(defaults)', {}, registry.knownIds, operatorConfigSchema, registry.knownOptions);
}

/** The namespace reports go to: the pod's own in the cluster, else --namespace, the context's, or the default. */
export function operatorNamespace(
  flags: OperatorFlags,
  inCluster: boolean,
  contextNamespace: string | undefined,
): string {
  if (inCluster) return serviceAccountNamespace() ?? flags.namespace ?? DEFAULT_NAMESPACE;
  return flags.namespace ?? contextNamespace ?? DEFAULT_NAMESPACE;
}

export async function runOperatorCommand(registry: RuleRegistry, flags: OperatorFlags): Promise<number> {
  const logger: Logger = pino({
    name: 'kube-patrol',
    level: flags.logLevel ?? 'info',
    base: { pid: process.pid },
  });
  let config: OperatorConfig;
  try {
    config = await loadOperatorConfig(flags.config, registry);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error({ file: error.file }, error.message);
      writeError(error.message);
      return 2;
    }
    throw error;
  }
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      writeError(`--port ${flags.port}: expected 0..65535`);
      return 2;
    }
    config = { ...config, server: { ...config.server, port } };
  }
  if (flags.leaderElect === false)
    config = { ...config, leaderElection: { ...config.leaderElection, enabled: false } };

  const client = connectFromFlags(flags, config);
  const inCluster = runningInCluster(flags);
  const namespace = operatorNamespace(flags, inCluster, client.identity.namespace);
  // Pod name from the downward API (POD_NAME) or the hostname, plus a suffix: two runs never share one.
  const identity = `${process.env['POD_NAME'] ?? hostname()}_${randomBytes(3).toString('hex')}`;
  // The Lease on a connection of its own (sockets, rate limit, a timeout of half the renew deadline).
  const leaseClient = client.forLease((config.leaderElection.renewDeadlineSeconds * 1000) / 2);
  const operator = new Operator({
    registry,
    api: client,
    leaseApi: leaseClient,
    config,
    namespace,
    identity,
    cluster: client.identity.context,
    logger,
  });

  if (flags.once) {
    const outcome = await operator.runOnce();
    client.close();
    leaseClient.close();
    logger.flush();
    return outcome.ok ? 0 : 2;
  }

  await operator.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void operator.stop(signal).finally(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  client.close();
  leaseClient.close();
  logger.flush();
  return 0;
}
