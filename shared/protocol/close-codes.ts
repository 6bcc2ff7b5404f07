// Every WebSocket close code of the API, in one table: the gateway closes with these, the client
// SDK decides from `reconnect` whether to reconnect, the CLI explains them, and README's close-code
// table and docs/asyncapi.yaml are generated from it (`npm run docs`, `npm run asyncapi`; their
// tests fail when either drifts).
//
// Plain data with no imports, so the client SDK can ship this file as it is (no zod at run time).
// Ranges: 4000-4399 mean "reconnect (and resume)", 4400-4499 "do not reconnect with the same
// request" (its URL or its key); test/unit/close-codes.test.ts holds every entry to that rule.

export interface CloseCodeEntry {
  readonly code: number;
  /** The constant's name in `CloseCode`. */
  readonly name: string;
  /** Who puts the code on the wire: the gateway, the client SDK, or nobody (a dropped TCP connection). */
  readonly sentBy: 'gateway' | 'client' | 'gateway, client' | 'nobody';
  /** What it means, and what a client should do about it. */
  readonly reason: string;
  /** Whether a client should reconnect (and resume from the last id it saw). */
  readonly reconnect: boolean;
}

export const CLOSE_CODES = [
  {
    code: 1000, name: 'NORMAL', sentBy: 'gateway, client', reconnect: false,
    reason: 'Normal closure: the connection was ended on purpose.',
  },
  {
    code: 1006, name: 'ABNORMAL', sentBy: 'nobody', reconnect: true,
    reason: 'Never sent, seen by the client: the TCP connection was cut without a close frame (the network, a frame over uWS\'s hard cap, or invalid UTF-8 in a text frame). Reconnect and resume; if it repeats, check the frames sent.',
  },
  {
    code: 1008, name: 'POLICY_VIOLATION', sentBy: 'gateway', reconnect: true,
    reason: 'Policy violation: the client kept sending after RATE_LIMITED. Reconnect more gently.',
  },
  {
    code: 1009, name: 'MESSAGE_TOO_BIG', sentBy: 'gateway', reconnect: true,
    reason: 'A client frame exceeded the maximum payload size (MAX_PAYLOAD_BYTES). Send smaller frames.',
  },
  {
    code: 1011, name: 'INTERNAL_ERROR', sentBy: 'gateway', reconnect: true,
    reason: 'Internal error. Reconnect with backoff.',
  },
  {
    code: 1012, name: 'SERVICE_RESTART', sentBy: 'gateway', reconnect: true,
    reason: 'Service restart: the gateway is draining. Reconnect (to another gateway) and resume.',
  },
  {
    code: 4000, name: 'IDLE_TIMEOUT', sentBy: 'gateway', reconnect: true,
    reason: 'Idle timeout: no client message within the idle window (IDLE_TIMEOUT_MS). Send pings to stay connected.',
  },
  {
    code: 4001, name: 'SLOW_CONSUMER', sentBy: 'gateway', reconnect: true,
    reason: 'Slow consumer: the client did not read fast enough (MAX_BACKPRESSURE_BYTES queued). Reconnect and resume from the last id.',
  },
  {
    code: 4100, name: 'PRESUMED_DEAD', sentBy: 'client', reconnect: true,
    reason: 'Sent by the client SDK when a connection stays silent past its pong timeout after a ping: it presumes the connection dead and replaces it (the gateway may never see this frame).',
  },
  {
    code: 4400, name: 'INVALID_REQUEST', sentBy: 'gateway', reconnect: false,
    reason: 'A value on the URL (filter, interval, lines, active_alerts) is invalid (an error message says why). Do not reconnect with the same URL.',
  },
  {
    code: 4401, name: 'KEY_REVOKED', sentBy: 'gateway', reconnect: false,
    reason: 'Key revoked: the API key was revoked or has expired. Do not reconnect with it.',
  },
] as const satisfies readonly CloseCodeEntry[];

type Entry = (typeof CLOSE_CODES)[number];

/** Close codes by name: `CloseCode.SLOW_CONSUMER` is 4001. */
export const CloseCode = Object.fromEntries(CLOSE_CODES.map((entry) => [entry.name, entry.code])) as {
  readonly [E in Entry as E['name']]: E['code'];
};
export type CloseCode = Entry['code'];

/** The codes the gateway itself closes with: `Session.close` takes only these. */
export type GatewayCloseCode = Extract<Entry, { sentBy: 'gateway' | 'gateway, client' }>['code'];

/** The codes after which a client must not reconnect with the same request. */
export type FinalCloseCode = Extract<Entry, { reconnect: false }>['code'];

const BY_CODE: ReadonlyMap<number, CloseCodeEntry> = new Map(CLOSE_CODES.map((entry) => [entry.code, entry]));

/** The table's entry for a code, or undefined for a code this API does not define. */
export function closeCodeEntry(code: number): CloseCodeEntry | undefined {
  return BY_CODE.get(code);
}

/**
 * Whether a client should reconnect after a close with this code: the table's answer, and for
 * codes it does not define (a proxy's 1001, a newer gateway's code) the range rule, so an old
 * client still does the right thing.
 */
export function shouldReconnect(code: number): boolean {
  return BY_CODE.get(code)?.reconnect ?? !(code >= 4400 && code <= 4499);
}
