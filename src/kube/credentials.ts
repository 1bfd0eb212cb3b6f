import { readFileSync, statSync } from 'node:fs';
import type * as https from 'node:https';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Where the API server is and how to authenticate to it: what the REST client needs of a kubeconfig.
 *
 * The common shapes are read here: a pod's service account, and kubeconfig contexts whose cluster has a
 * CA (file or data) and whose user has a client certificate or a bearer token. Everything else (exec
 * plugins, auth providers, token files, basic auth, impersonation, proxies, several files in $KUBECONFIG) is
 * handed to `@kubernetes/client-node`'s KubeConfig, loaded only then: importing it costs about 80 MiB of
 * memory and 0.6 s of start-up, a third of the operator's memory budget (ADR 0007). A unit test checks that
 * both give the same TLS options and headers for every shape read here.
 */
export interface Credentials {
  /** The kubeconfig context, or `in-cluster`. */
  readonly context: string;
  readonly server: string;
  /** The namespace of the context (or of the service account in the cluster), when set. */
  readonly namespace?: string;
  /** Who read them: this module, or client-node for the shapes it does not read. */
  readonly via: 'built-in' | 'client-node';
  /** Sets the TLS material and the Authorization header on request options (re-reading a token file). */
  apply(options: https.RequestOptions): Promise<void>;
}

export interface CredentialOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Use the pod's service account. */
  readonly inCluster?: boolean;
  /** For tests: the environment ($KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT) and the service account files. */
  readonly env?: NodeJS.ProcessEnv;
  readonly serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A token file is read again when this old, as client-go and client-node do (bound tokens rotate). */
const TOKEN_FILE_TTL_MS = 60_000;

type Obj = Record<string, unknown>;

const CLUSTER_KEYS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'extensions',
]);
const USER_KEYS = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'extensions',
]);

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
  servername?: string;
}

interface Bearer {
  readonly token?: string;
  readonly file?: string;
}

class StaticCredentials implements Credentials {
  readonly via = 'built-in';
  readonly context: string;
  readonly server: string;
  readonly namespace?: string;
  private readonly tls: TlsMaterial;
  private readonly bearer: Bearer;
  private token: { value: string; readAt: number } | undefined;

  constructor(
    identity: { context: string; server: string; namespace?: string | undefined },
    tls: TlsMaterial,
    bearer: Bearer,
  ) {
    this.context = identity.context;
    this.server = identity.server;
    if (identity.namespace) this.namespace = identity.namespace;
    this.tls = tls;
    this.bearer = bearer;
  }

  async apply(options: https.RequestOptions): Promise<void> {
    if (this.tls.ca) options.ca = this.tls.ca;
    if (this.tls.cert) options.cert = this.tls.cert;
    if (this.tls.key) options.key = this.tls.key;
    if (this.tls.insecure) options.rejectUnauthorized = false;
    if (this.tls.servername) options.servername = this.tls.servername;
    const token = this.bearerToken();
    if (token)
      options.headers = {
        ...(options.headers as Record<string, string> | undefined),
        Authorization: `Bearer ${token}`,
      };
  }

  private bearerToken(): string | undefined {
    if (this.bearer.token) return this.bearer.token;
    const file = this.bearer.file;
    if (!file) return undefined;
    const now = Date.now();
    if (!this.token || now - this.token.readAt >= TOKEN_FILE_TTL_MS)
      this.token = { value: readFileSync(file, 'utf8').trim(), readAt: now };
    return this.token.value;
  }
}

/** The credentials of `@kubernetes/client-node`'s KubeConfig, for the shapes this module does not read. */
class ClientNodeCredentials implements Credentials {
  readonly via = 'client-node';
  readonly context: string;
  readonly server: string;
  readonly namespace?: string;
  private readonly kc: KubeConfig;

  constructor(options: CredentialOptions) {
    const { KubeConfig: KubeConfigClass } = createRequire(import.meta.url)(
      '@kubernetes/client-node',
    ) as typeof import('@kubernetes/client-node');
    const kc = new KubeConfigClass();
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else if (options.inCluster) kc.loadFromCluster();
    else kc.loadFromDefault();
    if (options.context) {
      if (!kc.getContextObject(options.context))
        throw new Error(`kubeconfig has no context "${options.context}"`);
      kc.setCurrentContext(options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster)
      throw new Error('no Kubernetes cluster configured: give --kubeconfig, set KUBECONFIG, or run in a pod');
    const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim();
    this.kc = kc;
    this.context = kc.getCurrentContext() === 'inClusterContext' ? 'in-cluster' : kc.getCurrentContext();
    this.server = cluster.server;
    if (namespace) this.namespace = namespace;
  }

  apply(options: https.RequestOptions): Promise<void> {
    return this.kc.applyToHTTPSOptions(options);
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function inClusterCredentials(env: NodeJS.ProcessEnv, dir: string): Credentials {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port)
    throw new Error('not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set');
  const tokenFile = join(dir, 'token');
  statSync(tokenFile); // a clear ENOENT now rather than on the first request
  const namespace = readIfExists(join(dir, 'namespace'))?.trim();
  const server = `https://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  return new StaticCredentials(
    { context: 'in-cluster', server, namespace },
    { ca: readFileSync(join(dir, 'ca.crt')) },
    { file: tokenFile },
  );
}

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function named(list: unknown, name: string, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((item): item is Obj => isObj(item) && item['name'] === name);
  const value = entry?.[field];
  return isObj(value) ? value : entry ? {} : undefined;
}

const onlyKeys = (object: Obj, allowed: ReadonlySet<string>) =>
  Object.entries(object).every(
    ([key, value]) => allowed.has(key) || value === undefined || value === null || value === '',
  );
const str = (object: Obj, key: string): string | undefined =>
  typeof object[key] === 'string' && object[key] !== '' ? (object[key] as string) : undefined;

/**
 * The credentials of one kubeconfig file when its context has a shape read here, else undefined (the caller
 * then uses client-node).
 */
function fileCredentials(file: string, contextName: string | undefined): Credentials | undefined {
  const text = readFileSync(file, 'utf8');
  const config = load(text);
  if (!isObj(config)) return undefined;
  const name = contextName ?? str(config, 'current-context');
  if (!name) return undefined;
  const context = named(config['contexts'], name, 'context');
  if (!context) return undefined;
  const cluster = named(config['clusters'], str(context, 'cluster') ?? '', 'cluster');
  // No user: client-node then sends no TLS options at all, not even the CA; it keeps that case.
  const user = named(config['users'], str(context, 'user') ?? '', 'user');
  if (!cluster || !user || !onlyKeys(cluster, CLUSTER_KEYS) || !onlyKeys(user, USER_KEYS)) return undefined;
  const server = str(cluster, 'server');
  if (!server) return undefined;
  const root = dirname(file);
  const fromFile = (path: string) => readFileSync(isAbsolute(path) ? path : join(root, path));
  // A file wins over data, as in client-node.
  const material = (data: string | undefined, path: string | undefined) =>
    path ? fromFile(path) : data ? Buffer.from(data, 'base64') : undefined;
  const tls: TlsMaterial = {};
  const ca = material(str(cluster, 'certificate-authority-data'), str(cluster, 'certificate-authority'));
  const cert = material(str(user, 'client-certificate-data'), str(user, 'client-certificate'));
  const key = material(str(user, 'client-key-data'), str(user, 'client-key'));
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (cluster['insecure-skip-tls-verify'] === true) tls.insecure = true;
  const servername = str(cluster, 'tls-server-name');
  if (servername) tls.servername = servername;
  const token = str(user, 'token');
  const namespace = str(context, 'namespace')?.trim();
  return new StaticCredentials({ context: name, server, namespace }, tls, token ? { token } : {});
}

/**
 * Credentials from `--kubeconfig`/`--context`, else $KUBECONFIG or ~/.kube/config, else the pod's service
 * account (when `inCluster`).
 */
export function loadCredentials(options: CredentialOptions = {}): Credentials {
  const env = options.env ?? process.env;
  if (options.inCluster && !options.kubeconfig)
    return inClusterCredentials(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  const paths = options.kubeconfig
    ? [options.kubeconfig]
    : (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  const file =
    paths.length === 0 ? join(homedir(), '.kube', 'config') : paths.length === 1 ? paths[0] : undefined;
  let credentials: Credentials | undefined;
  try {
    credentials = file === undefined ? undefined : fileCredentials(file, options.context);
  } catch {
    // Unreadable or unusual: client-node reads it, and its error names the problem.
  }
  return credentials ?? new ClientNodeCredentials(options);
}
