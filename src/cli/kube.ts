import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ConfigFile } from '../config/schema.ts';
import {
  connect,
  isApiStatus,
  KubeConnectionError,
  SERVICE_ACCOUNT_DIR,
  type KubeClient,
} from '../kube/client.ts';
import type { KubeFlags } from './commands/kube-options.ts';

export { addKubeOptions, type KubeFlags } from './commands/kube-options.ts';

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

/**
 * The kubeconfig files a connection would read, when none of them exists (and we are not in a pod):
 * the message says where we looked, instead of the HTTP client's complaint about an empty config.
 */
export function missingKubeconfig(
  flags: KubeFlags,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (runningInCluster(flags, env)) return undefined;
  const candidates = flags.kubeconfig
    ? [flags.kubeconfig]
    : (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  const looked = candidates.length > 0 ? candidates : [join(homedir(), '.kube', 'config')];
  if (looked.some((file) => existsSync(file))) return undefined;
  const where = flags.kubeconfig
    ? `--kubeconfig ${flags.kubeconfig} does not exist`
    : candidates.length > 0
      ? `no file of KUBECONFIG=${env['KUBECONFIG']} exists`
      : `${looked[0]} does not exist, KUBECONFIG is not set, and this is not a pod with a service account`;
  return `no kubeconfig found: ${where}. To scan manifest files give their paths (kube-patrol scan deploy/); to scan a cluster give --kubeconfig FILE or set KUBECONFIG`;
}

export function connectFromFlags(flags: KubeFlags, config: Pick<ConfigFile, 'client'> = {}): KubeClient {
  const missing = missingKubeconfig(flags);
  if (missing) throw new Error(missing);
  const client = config.client;
  return connect({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    inCluster: runningInCluster(flags),
    ...(client ? { qps: client.qps, burst: client.burst, timeoutMs: client.timeoutSeconds * 1000 } : {}),
  });
}

/**
 * Connects, runs `use` and closes the client. A server that cannot be reached becomes one sentence naming
 * the server and context, instead of the first request's socket error.
 */
export async function withClient<T>(
  flags: KubeFlags,
  config: Pick<ConfigFile, 'client'>,
  use: (client: KubeClient) => Promise<T>,
): Promise<T> {
  const client = connectFromFlags(flags, config);
  try {
    return await use(client);
  } catch (error) {
    if (error instanceof KubeConnectionError) {
      throw new Error(
        `cannot reach the API server ${client.identity.server} of context ${client.identity.context} (${error.message}): is the cluster up, and is this the context you meant (--context)?`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    client.close();
  }
}

/** Whether a namespace exists; undefined when the credentials may not read namespaces (cannot tell). */
export async function namespaceExists(client: KubeClient, namespace: string): Promise<boolean | undefined> {
  try {
    await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`);
    return true;
  } catch (error) {
    if (isApiStatus(error, 404)) return false;
    if (isApiStatus(error, 401, 403)) return undefined;
    throw error;
  }
}
