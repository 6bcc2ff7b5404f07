// Failed authentications per client address. After `maxFailures` within `windowMs`, the address
// is refused with 429 for `blockMs`, before any key is looked at: guessing keys gets slow, and a
// guesser cannot load Redis with lookups. Memory is bounded: at most MAX_TRACKED addresses.

export interface ThrottlePolicy {
  /** Failures that trigger the block; 0 disables the throttle. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
}

interface Entry {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

const MAX_TRACKED = 100_000;

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly policy: ThrottlePolicy, private readonly now: () => number = Date.now) {}

  /** How long this address stays refused (ms); 0 when it may try. */
  blockedFor(address: string): number {
    const entry = this.entries.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  recordFailure(address: string): void {
    if (this.policy.maxFailures <= 0) return;
    const now = this.now();
    let entry = this.entries.get(address);
    if (!entry) {
      if (this.entries.size >= MAX_TRACKED) this.sweep();
      if (this.entries.size >= MAX_TRACKED) this.entries.delete(this.entries.keys().next().value!);
      entry = { failures: 0, windowStart: now, blockedUntil: 0 };
      this.entries.set(address, entry);
    }
    if (now - entry.windowStart > this.policy.windowMs) {
      entry.failures = 0;
      entry.windowStart = now;
    }
    if (++entry.failures >= this.policy.maxFailures) {
      entry.blockedUntil = now + this.policy.blockMs;
      entry.failures = 0;
      entry.windowStart = now;
    }
  }

  /** Forget addresses whose window and block are both over. */
  sweep(): void {
    const now = this.now();
    for (const [address, entry] of this.entries) {
      if (entry.blockedUntil <= now && now - entry.windowStart > this.policy.windowMs) this.entries.delete(address);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
