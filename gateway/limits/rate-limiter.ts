// Client messages per second, per connection: a token bucket (`perSecond` refill, `burst` deep).
// A message over the limit is dropped, and the client is told with a RATE_LIMITED error at most
// once a second (answering every dropped message would double a flood). A client that keeps
// sending — more than `maxViolations` dropped messages before its bucket refills — is closed.

export interface RatePolicy {
  /** Sustained messages per second; 0 disables the limit. */
  readonly perSecond: number;
  /** Messages accepted in a burst. */
  readonly burst: number;
  /** Dropped messages tolerated before the connection is closed. */
  readonly maxViolations: number;
}

/** ok: handle it; drop: ignore it; warn: ignore it and send RATE_LIMITED; close: close with 1008. */
export type RateVerdict = 'ok' | 'drop' | 'warn' | 'close';

const WARN_EVERY_MS = 1000;

export class MessageRateLimiter {
  private tokens: number;
  private violations = 0;
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly policy: RatePolicy, private at: number) {
    this.tokens = policy.burst;
  }

  take(now: number): RateVerdict {
    const { perSecond, burst } = this.policy;
    if (perSecond <= 0) return 'ok';
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) * perSecond) / 1000);
    this.at = now;
    if (this.tokens >= burst) this.violations = 0; // quiet long enough: a clean slate
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    if (++this.violations > this.policy.maxViolations) return 'close';
    if (now - this.warnedAt < WARN_EVERY_MS) return 'drop';
    this.warnedAt = now;
    return 'warn';
  }
}
