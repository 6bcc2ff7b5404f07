// Reconnect delays: the spec's exponential backoff (baseDelay · 2^attempt, capped at maxDelay)
// with "full jitter" — each delay drawn uniformly between 0 and that ceiling. Without jitter every
// client dropped by one gateway restart would come back in lock-step, attempt after attempt.

export interface BackoffOptions {
  /** Ceiling of the first delay, ms (spec default 1000). */
  readonly baseDelay: number;
  /** Largest ceiling, ms (spec default 30000). */
  readonly maxDelay: number;
}

/** The spec's ReconnectingWebSocket defaults. */
export const RECONNECT_DEFAULTS = { maxRetries: 10, baseDelay: 1000, maxDelay: 30_000 } as const;

/** The ceiling of the delay before retry number `attempt` (0 for the first retry). */
export function backoffCeiling(attempt: number, { baseDelay, maxDelay }: BackoffOptions): number {
  // 2^attempt overflows to Infinity for huge attempts, which Math.min caps: no special case needed.
  return Math.min(maxDelay, baseDelay * 2 ** Math.max(0, attempt));
}

/**
 * The delay before retry number `attempt`: uniform in [0, ceiling]. `random` returns a number in
 * [0, 1), like Math.random (tests pass their own).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * (backoffCeiling(attempt, options) + 1));
}
