// The stable error codes of the WebSocket API: sent in `error` messages, and as the body of an HTTP
// refusal at the upgrade. Close codes have their own table (close-codes.ts). README's error-code
// rows are checked against these by test/unit/security-docs.test.ts, and docs/asyncapi.yaml is
// generated from them: add a README row with a new code.

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
  /** `lines` is not a whole number from 0 to 1000, or the endpoint carries no log lines (/ws/metrics). */
  INVALID_LINES: 'INVALID_LINES',
  /** `activeAlerts` (URL `active_alerts`) is not a boolean, or the endpoint carries no alerts (only /ws/combined does). */
  INVALID_ACTIVE_ALERTS: 'INVALID_ACTIVE_ALERTS',
  /** Part of a stream after the requested id is no longer kept; what is kept follows. */
  HISTORY_TRUNCATED: 'HISTORY_TRUNCATED',
  /**
   * Too many client messages per second on this connection; or, as HTTP 429 at the upgrade, too
   * many connections for this key or address, or too many failed authentications from this address.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The gateway failed to handle the request; it is safe to retry. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** HTTP 400 from `GET /api/usage`: a parameter is missing, unknown or malformed, or the range is too long for the step. */
  INVALID_QUERY: 'INVALID_QUERY',
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
  INVALID_LINES: 'The lines value is not a whole number from 0 to 1000, or the endpoint carries no log lines (/ws/metrics).',
  INVALID_ACTIVE_ALERTS: 'The activeAlerts value (URL: active_alerts) is not true/false (1/0), or the endpoint carries no alerts (only /ws/combined does).',
  HISTORY_TRUNCATED: 'Messages after the given id are no longer kept; what is kept follows.',
  RATE_LIMITED: 'Too many messages per second from this connection: slow down or be disconnected (1008). As HTTP 429 at the upgrade: too many connections for this key or address, or too many failed authentications from this address.',
  INTERNAL_ERROR: 'The gateway failed to handle the request; it is safe to retry.',
  INVALID_QUERY: 'HTTP 400 from GET /api/usage: a parameter is missing, unknown or malformed, or the range holds too many steps.',
  UNAUTHORIZED: 'HTTP 401 at the upgrade: no API key, or not a valid one (unknown, revoked or expired).',
  FORBIDDEN: 'HTTP 403 at the upgrade: the key may not open this endpoint, or the Origin is not allowed.',
  NOT_FOUND: 'HTTP 404: no such endpoint.',
  UPGRADE_REQUIRED: 'HTTP 426: a WebSocket endpoint was requested without a WebSocket upgrade.',
  UNAVAILABLE: 'HTTP 503 at the upgrade: this gateway is draining or has lost the bus; connect to another.',
};
