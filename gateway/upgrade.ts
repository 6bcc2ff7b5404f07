// The WebSocket upgrade: everything decided before a WebSocket exists. Credentials are read
// synchronously (uWS forbids touching the request later); authentication may be async, in which
// case the response is guarded with onAborted and the upgrade is corked.
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { Logger } from '../shared/logger.ts';
import type { AuthResult, Authenticator, Principal } from './auth/authenticator.ts';
import { readCredentials } from './auth/credentials.ts';
import type { Endpoint } from './endpoints.ts';
import { sendHttpError } from './http.ts';
import type { Session } from './session.ts';

/** What uWS keeps per WebSocket: decided at the upgrade, completed at open. */
export interface UserData {
  endpoint: Endpoint;
  principal: Principal;
  /** `?since=` from the URL: replay starts as soon as the connection opens. */
  since: string | undefined;
  session?: Session;
}

export interface UpgradeDeps {
  readonly auth: Authenticator;
  readonly logger: Logger;
  /** True while the gateway drains: new connections go elsewhere. */
  readonly isDraining: () => boolean;
  /** Count a refused upgrade by HTTP status (Prometheus). */
  readonly countRejected: (status: number) => void;
}

export type UpgradeHandler = (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => void;

export function createUpgradeHandler(endpoint: Endpoint, deps: UpgradeDeps): UpgradeHandler {
  const { auth, logger } = deps;
  const reject = (res: HttpResponse, status: number, message: string) => {
    deps.countRejected(status);
    sendHttpError(res, status, message);
  };
  return (res, req, context) => {
    if (deps.isDraining()) return reject(res, 503, 'this gateway is shutting down; connect to another');
    const secKey = req.getHeader('sec-websocket-key');
    const extensions = req.getHeader('sec-websocket-extensions');
    const credentials = readCredentials(req.getQuery('api_key') ?? undefined, req.getHeader('sec-websocket-protocol'));
    const since = req.getQuery('since') || undefined;
    const finish = (result: AuthResult) => {
      if (!result.ok) return reject(res, result.status, result.message);
      res.upgrade<UserData>({ endpoint, principal: result.principal, since }, secKey, credentials.protocol, extensions, context);
    };
    const result = auth.authenticate(credentials.key, endpoint.name);
    if (!(result instanceof Promise)) return finish(result);
    let aborted = false;
    res.onAborted(() => (aborted = true));
    result.then(
      (r) => !aborted && res.cork(() => finish(r)),
      (err: unknown) => {
        logger.error({ err: String(err) }, 'authentication failed');
        if (!aborted) res.cork(() => reject(res, 503, 'authentication is unavailable; try again'));
      },
    );
  };
}
