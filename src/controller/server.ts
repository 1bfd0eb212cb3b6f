import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthState {
  /** Process is alive and its loop turns (liveness). */
  live(): boolean;
  /** Ready, with the reason when not (readiness). */
  ready(): { ok: boolean; reason: string };
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** /healthz, /readyz and /metrics on one plain HTTP port. */
export async function startHealthServer(
  host: string,
  port: number,
  health: HealthState,
  registry: Registry,
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const url = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (url === '/healthz' || url === '/livez')
      return health.live() ? send(200, 'ok\n') : send(503, 'not live\n');
    if (url === '/readyz') {
      const { ok, reason } = health.ready();
      return send(ok ? 200 : 503, `${ok ? 'ok' : 'not ready'}: ${reason}\n`);
    }
    if (url === '/metrics') {
      registry
        .metrics()
        .then((text) => send(200, text, registry.contentType))
        .catch((error: unknown) => send(500, `${error instanceof Error ? error.message : String(error)}\n`));
      return;
    }
    send(404, 'not found: try /healthz, /readyz or /metrics\n');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
