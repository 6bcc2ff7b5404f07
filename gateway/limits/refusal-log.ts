// Every refused upgrade (401, 403, 429) goes on record, for people and for fail2ban or a SIEM
// (deploy/fail2ban/): when, from which address, to which endpoint, why, and a short fingerprint of
// the key offered — never the key. A client retrying in a loop must not flood the log, so each
// address gets at most `perWindow` lines per window; the rest are counted and reported as one
// "N more suppressed" line when its window ends. Memory is bounded: at most `maxAddresses` are
// tracked, the least recently refused is reported and forgotten first.
import { createHash } from 'node:crypto';
import type { Logger } from '../../shared/logger.ts';

export interface Refusal {
  readonly status: number;
  readonly address: string;
  /** The endpoint's name (`logs`, `metrics`, `combined`). */
  readonly endpoint: string;
  /** What the client was told. */
  readonly reason: string;
  /** The key offered, if any: only its fingerprint is logged. */
  readonly key: string | undefined;
}

export interface RefusalLogPolicy {
  readonly perWindow: number;
  readonly windowMs: number;
  readonly maxAddresses: number;
}

/** The gateway's policy: 5 lines per address per minute, 10,000 addresses. */
export const REFUSAL_LOG_POLICY: RefusalLogPolicy = { perWindow: 5, windowMs: 60_000, maxAddresses: 10_000 };

/** The message of each refusal's line, and of the summary (fail2ban's filter matches both). */
export const REFUSED_MSG = 'upgrade refused';
export const SUPPRESSED_MSG = 'upgrade refusals suppressed';

interface AddressWindow {
  readonly start: number;
  logged: number;
  suppressed: number;
}

export class RefusalLog {
  /** In order of the last refusal (a Map keeps insertion order; each refusal re-inserts). */
  private readonly windows = new Map<string, AddressWindow>();

  constructor(
    private readonly logger: Logger,
    private readonly policy: RefusalLogPolicy = REFUSAL_LOG_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  record(refusal: Refusal): void {
    const now = this.now();
    let window = this.windows.get(refusal.address);
    this.windows.delete(refusal.address);
    if (window && now - window.start >= this.policy.windowMs) {
      this.summarize(refusal.address, window);
      window = undefined;
    }
    window ??= { start: now, logged: 0, suppressed: 0 };
    this.windows.set(refusal.address, window);
    if (this.windows.size > this.policy.maxAddresses) this.forget(this.windows.keys().next().value!);
    if (window.logged >= this.policy.perWindow) {
      window.suppressed++;
      return;
    }
    window.logged++;
    this.logger.warn(
      { status: refusal.status, address: refusal.address, endpoint: refusal.endpoint, reason: refusal.reason, keyFingerprint: keyFingerprint(refusal.key) },
      REFUSED_MSG,
    );
  }

  /** End the windows that are over (the gateway calls this every window). */
  flush(): void {
    const now = this.now();
    for (const [address, window] of this.windows) if (now - window.start >= this.policy.windowMs) this.forget(address);
  }

  /** At shutdown: report what is still suppressed. */
  close(): void {
    for (const address of [...this.windows.keys()]) this.forget(address);
  }

  /** How many addresses are tracked (for tests of the bound). */
  get size(): number {
    return this.windows.size;
  }

  private forget(address: string): void {
    const window = this.windows.get(address);
    this.windows.delete(address);
    if (window) this.summarize(address, window);
  }

  private summarize(address: string, window: AddressWindow): void {
    if (window.suppressed === 0) return;
    const seconds = Math.round((this.now() - window.start) / 1000);
    this.logger.warn({ address, suppressed: window.suppressed, seconds }, `${SUPPRESSED_MSG}: ${window.suppressed} more from this address in ${seconds} s`);
  }
}

/** The first 8 hex digits of the key's SHA-256: enough to tell keys apart in a log, useless to log in with. */
export function keyFingerprint(key: string | undefined): string | null {
  return key ? createHash('sha256').update(key).digest('hex').slice(0, 8) : null;
}
