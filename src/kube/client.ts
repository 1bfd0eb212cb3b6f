import http from 'node:http';
import https from 'node:https';
import { toolVersion } from '../version.ts';
import { loadCredentials, type Credentials } from './credentials.ts';
import { RateLimiter } from './rate-limit.ts';
import { sleep } from '../shared/sleep.ts';

export { SERVICE_ACCOUNT_DIR } from './credentials.ts';

/** An API call the server answered with an error status (the `Status` object's reason and message). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number, reason: string, message: string) {
    super(`${method} ${path}: ${status} ${reason}${message ? `: ${message}` : ''}`);
    this.status = status;
    this.reason = reason;
    this.method = method;
    this.path = path;
  }
}

/** The API server could not be reached or the connection broke (no HTTP status). */
export class KubeConnectionError extends Error {
  override readonly name = 'KubeConnectionError';
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, cause: unknown) {
    super(`${method} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.method = method;
    this.path = path;
  }
}

export function isApiStatus(error: unknown, ...statuses: number[]): error is KubeApiError {
  return error instanceof KubeApiError && statuses.includes(error.status);
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Accept header, e.g. for metadata-only lists (PartialObjectMetadataList). */
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Idle socket timeout; default the client's. */
  readonly timeoutMs?: number;
  /** Parses a successful response's text instead of JSON.parse (e.g. a list read item by item). */
  readonly parse?: (text: string) => unknown;
}

/** What the sources, sinks and controller need from the API: small enough to fake in unit tests. */
export interface KubeApi {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** A watch: calls `onEvent` per line until the server ends the stream or `signal` aborts. */
  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

export interface KubeClientOptions {
  /** Sustained requests per second (token bucket); default 10. */
  readonly qps?: number;
  /** Requests allowed at once above the sustained rate; default 20. */
  readonly burst?: number;
  readonly timeoutMs?: number;
  /** Retries of GETs on connection errors, 429 and 5xx; default 2. */
  readonly retries?: number;
}

export interface ClusterIdentity {
  /** The kubeconfig context, or `in-cluster`. */
  readonly context: string;
  readonly server: string;
  /** The namespace of the context (or of the service account in the cluster), when set. */
  readonly namespace?: string;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseStatus(body: string): { reason: string; message: string } {
  try {
    const status = JSON.parse(body) as { reason?: string; message?: string };
    return { reason: status.reason ?? '', message: status.message ?? '' };
  } catch {
    return { reason: '', message: body.slice(0, 200) };
  }
}

/**
 * A small Kubernetes REST client over node:https with the credentials of a KubeConfig. It returns the
 * objects as the server sent them (no model classes), which the engine reads and which keeps big lists
 * cheap, and it rate-limits every call so that a scan never floods the API server.
 */
export class KubeClient implements KubeApi {
  readonly identity: ClusterIdentity;
  private readonly credentials: Credentials;
  private readonly base: URL;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private agent: http.Agent | undefined;
  /** Watches hold their connection for minutes: a pool of their own, so they never starve requests. */
  private watchAgent: http.Agent | undefined;

  constructor(credentials: Credentials, options: KubeClientOptions = {}) {
    this.credentials = credentials;
    this.identity = {
      context: credentials.context,
      server: credentials.server,
      ...(credentials.namespace ? { namespace: credentials.namespace } : {}),
    };
    this.base = new URL(credentials.server);
    this.limiter = new RateLimiter(options.qps ?? 10, options.burst ?? 20);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
  }

  close(): void {
    this.agent?.destroy();
    this.watchAgent?.destroy();
  }

  /**
   * A client of its own for leader election: its own sockets, rate limit and timeout, and no retries (the
   * elector retries every period), so a scan's many requests never delay a renew.
   */
  forLease(timeoutMs: number): KubeClient {
    return new KubeClient(this.credentials, { qps: 5, burst: 10, timeoutMs, retries: 0 });
  }

  private makeAgent(options: https.RequestOptions, maxSockets: number): http.Agent {
    if (this.base.protocol !== 'https:') return new http.Agent({ keepAlive: true, maxSockets });
    return new https.Agent({
      keepAlive: true,
      maxSockets,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
      ...(options.servername ? { servername: options.servername } : {}),
    });
  }

  private async prepare(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string>,
    forWatch = false,
  ): Promise<https.RequestOptions> {
    const options: https.RequestOptions = { headers: { ...headers } };
    await this.credentials.apply(options);
    const secure = this.base.protocol === 'https:';
    this.agent ??= this.makeAgent(options, 8);
    if (forWatch) this.watchAgent ??= this.makeAgent(options, Infinity);
    const prefix = this.base.pathname.replace(/\/$/, '');
    return {
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || (secure ? 443 : 80),
      path: `${prefix}${path}${queryString(query)}`,
      headers: {
        'User-Agent': `kube-patrol/${toolVersion()}`,
        Accept: 'application/json',
        ...(options.headers as Record<string, string>),
      },
      agent: forWatch ? this.watchAgent : this.agent,
    };
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const idempotent = method === 'GET';
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        const retriable = error instanceof KubeConnectionError || isApiStatus(error, 429, 500, 502, 503, 504);
        if (!idempotent || !retriable || attempt >= this.retries || options.signal?.aborted) throw error;
        await sleep(250 * 4 ** attempt, options.signal);
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    await this.limiter.take(options.signal);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = body
      ? { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': String(body.length) }
      : {};
    if (options.accept) headers['Accept'] = options.accept;
    const requestOptions = await this.prepare(method, path, options.query, headers);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const secure = this.base.protocol === 'https:';
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = (secure ? https : http).request(
        { ...requestOptions, ...(options.signal ? { signal: options.signal } : {}) },
        (response) => {
          // Decoded piece by piece into V8 strings: no native copy of the whole body (Buffer.concat) whose
          // freed memory the allocator keeps, and no second copy next to the text.
          response.setEncoding('utf8');
          let text = '';
          response.on('data', (chunk: string) => (text += chunk));
          response.once('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.once('error', (error) => reject(new KubeConnectionError(method, path, error)));
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no response within ${timeoutMs} ms`)));
      request.once('error', (error) =>
        reject(
          options.signal?.aborted
            ? (options.signal.reason as Error)
            : new KubeConnectionError(method, path, error),
        ),
      );
      request.end(body);
    });
    if (status < 200 || status >= 300) {
      const { reason, message } = parseStatus(text);
      throw new KubeApiError(method, path, status, reason, message);
    }
    if (!text) return undefined as T;
    return (options.parse ? options.parse(text) : JSON.parse(text)) as T;
  }

  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.limiter.take(signal);
    const requestOptions = await this.prepare('GET', path, { ...query, watch: true }, {}, true);
    const secure = this.base.protocol === 'https:';
    await new Promise<void>((resolve, reject) => {
      const request = (secure ? https : http).request({ ...requestOptions, signal }, (response) => {
        if ((response.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => {
            const { reason, message } = parseStatus(Buffer.concat(chunks).toString('utf8'));
            reject(new KubeApiError('WATCH', path, response.statusCode ?? 0, reason, message));
          });
          return;
        }
        let pending = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          pending += chunk;
          let newline;
          while ((newline = pending.indexOf('\n')) !== -1) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            if (line) onEvent(JSON.parse(line) as WatchEvent);
          }
        });
        response.once('end', () => resolve());
        response.once('error', (error) =>
          signal.aborted ? resolve() : reject(new KubeConnectionError('WATCH', path, error)),
        );
      });
      request.once('error', (error) =>
        signal.aborted ? resolve() : reject(new KubeConnectionError('WATCH', path, error)),
      );
      request.end();
    });
  }
}

export interface ConnectOptions extends KubeClientOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Use the pod's service account (also chosen when no kubeconfig is given and we run in a pod). */
  readonly inCluster?: boolean;
}

/**
 * Builds a client from `--kubeconfig`/`--context`, else $KUBECONFIG or ~/.kube/config, else the pod's
 * service account. The identity says which it was, and the namespace the context (or the pod) is in.
 */
export function connect(options: ConnectOptions = {}): KubeClient {
  return new KubeClient(loadCredentials(options), options);
}
