// The WebSocket upgrade: everything decided before a WebSocket exists. Credentials are read
// synchronously (uWS forbids touching the request later); authentication may be async, in which
// case the response is guarded with onAborted and the upgrade is corked.
// Checks run cheapest first: draining (503), an address blocked after failed authentications
// (429), a browser Origin not allowed (403), the key (401 / 403), connection limits (429).
// Every 401/403/429 is logged (security.refusals: rate-limited per address, the key fingerprinted).
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { Logger } from '../shared/logger.ts';
import type { AuthResult, Principal } from './auth/authenticator.ts';
import { readCredentials } from './auth/credentials.ts';
import type { Endpoint } from './endpoints.ts';
import { sendHttpError } from './http.ts';
import { readUrlOptions, type UrlOptionsText } from './url-options.ts';
import { clientAddress } from './limits/client-address.ts';
import type { MessageRateLimiter } from './limits/rate-limiter.ts';
import type { GatewaySecurity } from './security.ts';
import type { Session } from './session.ts';

/** What the upgrade decided, for the open handler (then dropped). */
export interface OpenParams {
  readonly principal: Principal;
  /** `?since=` from the URL: replay starts as soon as the connection opens. */
  readonly since: string | undefined;
  /** Filter and interval from the URL, applied at open. */
  readonly urlOptions: UrlOptionsText | undefined;
  /** The client's address, for the per-address limits. */
  readonly address: string;
}

/**
 * What uWS keeps per WebSocket. uWS copies these properties onto each WebSocket object, so there
 * are few and all present from the start: every one is a slot in every connection for its life.
 */
export interface UserData {
  /** Until open. */
  params: OpenParams | undefined;
  /** This connection's client message budget. */
  rate: MessageRateLimiter;
  /** From open. */
  session: Session | undefined;
}

export interface UpgradeDeps {
  readonly security: GatewaySecurity;
  readonly logger: Logger;
  /** True while the gateway drains: new connections go elsewhere. */
  readonly isDraining: () => boolean;
  /** Count a refused upgrade by HTTP status (Prometheus). */
  readonly countRejected: (status: number) => void;
}

export type UpgradeHandler = (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => void;

export function createUpgradeHandler(endpoint: Endpoint, deps: UpgradeDeps): UpgradeHandler {
  const { security, logger } = deps;
  const reject = (res: HttpResponse, status: number, message: string) => {
    deps.countRejected(status);
    sendHttpError(res, status, message);
  };
  return (res, req, context) => {
    if (deps.isDraining()) return reject(res, 503, 'this gateway is shutting down; connect to another');
    const address = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), security.trustProxy);
    const credentials = readCredentials(req.getQuery('api_key') ?? undefined, req.getHeader('sec-websocket-protocol'));
    const refuse = (status: number, reason: string) => {
      security.refusals.record({ status, address, endpoint: endpoint.name, reason, key: credentials.key });
      reject(res, status, reason);
    };
    const blockedMs = security.throttle.blockedFor(address);
    if (blockedMs > 0) return refuse(429, `too many failed authentications from this address; retry in ${Math.ceil(blockedMs / 1000)} s`);
    if (!security.origins.allows(req.getHeader('origin'), req.getHeader('host'))) return refuse(403, 'this Origin is not allowed to connect');
    const secKey = req.getHeader('sec-websocket-key');
    const extensions = req.getHeader('sec-websocket-extensions');
    const since = req.getQuery('since') || undefined;
    const urlOptions = readUrlOptions(req);
    const finish = (result: AuthResult) => {
      if (!result.ok) {
        if (result.status === 401) security.throttle.recordFailure(address);
        return refuse(result.status, result.message);
      }
      const refusal = security.registry.refusal(result.principal, address);
      if (refusal) return refuse(429, refusal);
      const data: UserData = { params: { principal: result.principal, since, urlOptions, address }, rate: security.newRateLimiter(), session: undefined };
      res.upgrade<UserData>(data, secKey, credentials.protocol, extensions, context);
    };
    const result = security.authenticator.authenticate(credentials.key, endpoint.name);
    if (!(result instanceof Promise)) return finish(result);
    let aborted = false;
    res.onAborted(() => (aborted = true));
    result.then(
      (r) => !aborted && res.cork(() => finish(r)),
      (err: unknown) => {
        logger.error({ err }, 'authentication failed');
        if (!aborted) res.cork(() => reject(res, 503, 'authentication is unavailable; try again'));
      },
    );
  };
}
