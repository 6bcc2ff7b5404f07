// The stable error codes (sent in `error` messages) and close codes of the WebSocket API.
// README's tables are checked against these by test/unit/error-codes.test.ts: add a row there too.

export const ErrorCode = {
  /** Not JSON, not an object, no string `action`, or a binary frame. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** `action` is not one of subscribe, filter, configure, ping. */
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  /** A filter with an unknown key, an unknown level, a wrong type or over a size limit. */
  INVALID_FILTER: 'INVALID_FILTER',
  /** `interval` is not a whole number of milliseconds within the configured bounds. */
  INVALID_INTERVAL: 'INVALID_INTERVAL',
  /** `since` is not a comma-separated list of ids this API issued. */
  INVALID_SINCE: 'INVALID_SINCE',
  /** Part of a stream after the requested id is no longer kept; what is kept follows. */
  HISTORY_TRUNCATED: 'HISTORY_TRUNCATED',
  /**
   * Too many client messages per second on this connection; or, as HTTP 429 at the upgrade, too
   * many connections for this key or address, or too many failed authentications from this address.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The gateway failed to handle the request; it is safe to retry. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** HTTP 401 at the upgrade: no API key, or not a valid one (unknown, revoked or expired). */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** HTTP 403 at the upgrade: the key may not open this endpoint (or this Origin is not allowed). */
  FORBIDDEN: 'FORBIDDEN',
  /** HTTP 404: no such endpoint. */
  NOT_FOUND: 'NOT_FOUND',
  /** HTTP 426: a WebSocket endpoint was requested without a WebSocket upgrade. */
  UPGRADE_REQUIRED: 'UPGRADE_REQUIRED',
  /** HTTP 503 at the upgrade: this gateway is draining or not connected to the bus; try another. */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  INVALID_MESSAGE: 'The frame is not a JSON object with a string "action" (binary frames included).',
  UNKNOWN_ACTION: 'The action is not one of subscribe, filter, configure, ping.',
  INVALID_FILTER: 'The filter has an unknown key, an unknown level, a wrong type, or is over a size limit.',
  INVALID_INTERVAL: 'The interval is not a whole number of milliseconds within the allowed bounds.',
  INVALID_SINCE: 'The since value is not a comma-separated list of ids issued by this API.',
  HISTORY_TRUNCATED: 'Messages after the given id are no longer kept; what is kept follows.',
  RATE_LIMITED: 'Too many messages per second from this connection: slow down or be disconnected (1008). As HTTP 429 at the upgrade: too many connections for this key or address, or too many failed authentications from this address.',
  INTERNAL_ERROR: 'The gateway failed to handle the request; it is safe to retry.',
  UNAUTHORIZED: 'HTTP 401 at the upgrade: no API key, or not a valid one (unknown, revoked or expired).',
  FORBIDDEN: 'HTTP 403 at the upgrade: the key may not open this endpoint, or the Origin is not allowed.',
  NOT_FOUND: 'HTTP 404: no such endpoint.',
  UPGRADE_REQUIRED: 'HTTP 426: a WebSocket endpoint was requested without a WebSocket upgrade.',
  UNAVAILABLE: 'HTTP 503 at the upgrade: this gateway is draining or has lost the bus; connect to another.',
};

/**
 * Close codes. 1xxx are the standard ones; 4000-4399 mean "reconnect (and resume)",
 * 4400-4499 mean "do not reconnect with the same request" (URL or credentials).
 */
export const CloseCode = {
  NORMAL: 1000,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  IDLE_TIMEOUT: 4000,
  SLOW_CONSUMER: 4001,
  INVALID_REQUEST: 4400,
  KEY_REVOKED: 4401,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const CLOSE_DESCRIPTIONS: Record<CloseCode, string> = {
  1000: 'Normal closure.',
  1008: 'Policy violation: the client kept sending after RATE_LIMITED. Reconnect more gently.',
  1009: 'A client frame exceeded the maximum payload size.',
  1011: 'Internal error. Reconnect with backoff.',
  1012: 'Service restart: the gateway is draining. Reconnect (to another gateway) and resume.',
  4000: 'Idle timeout: no client message within the idle window. Send pings to stay connected.',
  4001: 'Slow consumer: the client did not read fast enough. Reconnect and resume from the last id.',
  4400: 'The filter or interval on the URL is invalid (an error message says why). Do not reconnect with the same URL.',
  4401: 'Key revoked: the API key was revoked or has expired. Do not reconnect with it.',
};
