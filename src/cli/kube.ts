import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ConfigFile } from '../config/schema.ts';
import { connect, SERVICE_ACCOUNT_DIR, type KubeClient } from '../kube/client.ts';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

export function addKubeOptions(command: Command): Command {
  return command
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod service account)',
    )
    .option('--context <name>', 'kubeconfig context');
}

/** Whether we run in a pod with a mounted service account and no explicit kubeconfig. */
export function runningInCluster(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    !flags.kubeconfig &&
    !env['KUBECONFIG'] &&
    Boolean(env['KUBERNETES_SERVICE_HOST']) &&
    existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))
  );
}

/** The namespace of the pod's service account (in the cluster), else undefined. */
export function serviceAccountNamespace(): string | undefined {
  const file = join(SERVICE_ACCOUNT_DIR, 'namespace');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export function connectFromFlags(flags: KubeFlags, config: Pick<ConfigFile, 'client'> = {}): KubeClient {
  const client = config.client;
  return connect({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    inCluster: runningInCluster(flags),
    ...(client ? { qps: client.qps, burst: client.burst, timeoutMs: client.timeoutSeconds * 1000 } : {}),
  });
}
