// The collector's HTTP port (COLLECTOR_PORT): /metrics for Prometheus, /healthz (the process
// answers), /readyz (Redis reachable and the farm loaded: what a Kubernetes readiness probe and
// the PrometheusRule watch). Plain node:http: a scrape every few seconds needs nothing faster.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE } from '../../shared/metrics/registry.ts';

export interface CollectorHealth {
  /** Why the collector is not ready, or undefined when it is. */
  notReady(): string | undefined;
  prometheus(): Promise<string>;
}

export interface CollectorHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startCollectorHttp(port: number, health: CollectorHealth): Promise<CollectorHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { status: 'error', message: `${req.method} is not supported: use GET` });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const why = health.notReady();
      return json(res, why ? 503 : 200, why ? { status: 'not ready', reason: why } : { status: 'ready' });
    }
    if (path === '/metrics') {
      return void health.prometheus().then(
        (body) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(body),
        (err: unknown) => json(res, 500, { status: 'error', message: `metrics failed: ${err instanceof Error ? err.message : String(err)}` }),
      );
    }
    json(res, 404, { status: 'error', message: `no such endpoint: ${path}; the collector serves /metrics, /healthz and /readyz` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'EADDRINUSE' ? `cannot listen on COLLECTOR_PORT=${port}: another process is listening there` : `cannot listen on COLLECTOR_PORT=${port}: ${err.message}`)));
    server.listen(port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
