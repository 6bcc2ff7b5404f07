// Plain HTTP on the gateway's port: health, readiness, Prometheus metrics, and clear answers
// for everything else (uWS would otherwise reply to an unknown route with an empty response).
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { PROMETHEUS_CONTENT_TYPE } from '../shared/metrics/registry.ts';
import { ErrorCode } from '../shared/protocol/index.ts';
import { ENDPOINTS } from './endpoints.ts';
import { registerStaticFiles } from './static-files.ts';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found', 500: '500 Internal Server Error',
  426: '426 Upgrade Required', 429: '429 Too Many Requests', 503: '503 Service Unavailable',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.INVALID_QUERY, 401: ErrorCode.UNAUTHORIZED, 403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND,
  426: ErrorCode.UPGRADE_REQUIRED, 429: ErrorCode.RATE_LIMITED, 503: ErrorCode.UNAVAILABLE,
};

export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[status] ?? String(status)).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(JSON.stringify(body));
  });
}

/** An error in the same shape as the WebSocket `error` message. */
export function sendHttpError(res: HttpResponse, status: number, message: string): void {
  sendJson(res, status, { type: 'error', code: CODE_BY_STATUS[status] ?? ErrorCode.INTERNAL_ERROR, message, timestamp: new Date().toISOString() });
}

export interface HealthSource {
  /** Connected to the bus and not draining. */
  isReady(): boolean;
  describe(): Record<string, unknown>;
  /** The Prometheus exposition text. */
  prometheus(): Promise<string>;
}

export function registerHttpRoutes(app: TemplatedApp, health: HealthSource): void {
  app.get('/healthz', (res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/readyz', (res) => {
    const ready = health.isReady();
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...health.describe() });
  });
  app.get('/metrics', (res) => {
    // Rendering is asynchronous (prom-client): the scraper may hang up meanwhile.
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void health.prometheus().then(
      (body) => aborted || res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', PROMETHEUS_CONTENT_TYPE).writeHeader('cache-control', 'no-store').end(body)),
      (err: unknown) => aborted || sendJson(res, 500, { type: 'error', code: ErrorCode.INTERNAL_ERROR, message: `metrics failed: ${err instanceof Error ? err.message : String(err)}`, timestamp: new Date().toISOString() }),
    );
  });
  // The dashboard at `/` (read from dashboard/dist once, now).
  registerStaticFiles(app);
  // A plain GET on a WebSocket path (no upgrade headers) falls through the ws route to here.
  for (const endpoint of ENDPOINTS) {
    app.any(endpoint.path, (res) => sendHttpError(res, 426, `${endpoint.path} is a WebSocket endpoint: connect with a WebSocket client`));
  }
  app.any('/*', (res, req) => sendHttpError(res, 404, `no such endpoint: ${req.getUrl()}; WebSocket endpoints are ${ENDPOINTS.map((e) => e.path).join(', ')}`));
}
