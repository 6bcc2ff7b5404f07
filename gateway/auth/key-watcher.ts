// Ends the live connections of keys that stop being valid, on every gateway:
// - revoked: `licmon keys revoke` deletes the key and announces it on the control channel in one
//   step; every gateway hears it, drops the key from its cache and closes its connections with
//   4401 at once (well within a second);
// - expired: a once-a-second sweep closes connections whose key's expiry has passed;
// - missed: if the control subscription was down, a revocation may have gone unheard, so live
//   keys are checked against Redis after every resubscription and every `recheckMs` anyway.
import type { KeyRevoked } from '../../shared/auth/api-key.ts';
import type { Logger } from '../../shared/logger.ts';
import { CloseCode } from '../../shared/protocol/index.ts';
import type { ConnectionRegistry } from '../limits/connection-limits.ts';

/** The part of the key store the watcher uses. */
export interface KeyEvents {
  watch(onRevoked: (event: KeyRevoked) => void, onResubscribed: () => void): Promise<void>;
  stillStored(digests: readonly string[]): Promise<boolean[]>;
}

export const REVOKED_REASON = 'API key revoked: do not reconnect with it';
export const EXPIRED_REASON = 'API key expired: do not reconnect with it';

const EXPIRY_SWEEP_MS = 1000;

export interface KeyWatcherDeps {
  readonly store: KeyEvents;
  readonly registry: ConnectionRegistry;
  /** Forget a key in the authenticator's cache. */
  readonly invalidate: (digest: string) => void;
  readonly logger: Logger;
  readonly recheckMs: number;
  readonly now?: () => number;
}

export class KeyWatcher {
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: KeyWatcherDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.deps.store.watch(
      (event) => this.revoked(event.digest, event.name),
      () => void this.recheck(),
    );
    this.timers.push(setInterval(() => this.sweepExpired(), EXPIRY_SWEEP_MS));
    if (this.deps.recheckMs > 0) this.timers.push(setInterval(() => void this.recheck(), this.deps.recheckMs));
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  revoked(digest: string, name: string): void {
    this.deps.invalidate(digest);
    const closed = this.deps.registry.closeKey(digest, CloseCode.KEY_REVOKED, REVOKED_REASON);
    this.deps.logger.info({ keyName: name, closed }, 'API key revoked: its connections are closed');
  }

  sweepExpired(): void {
    const now = this.now();
    for (const { keyId, expiresAt } of [...this.deps.registry.liveKeys()]) {
      if (expiresAt === null || expiresAt > now) continue;
      this.deps.invalidate(keyId);
      const closed = this.deps.registry.closeKey(keyId, CloseCode.KEY_REVOKED, EXPIRED_REASON);
      this.deps.logger.info({ closed }, 'API key expired: its connections are closed');
    }
  }

  /** Close the connections of live keys that Redis no longer holds. */
  async recheck(): Promise<void> {
    const digests = [...this.deps.registry.liveKeys()].map((k) => k.keyId);
    let stored: boolean[];
    try {
      stored = await this.deps.store.stillStored(digests);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not recheck live API keys; will retry');
      return;
    }
    digests.forEach((digest, i) => {
      if (!stored[i]) this.revoked(digest, '(revoked while unheard)');
    });
  }
}
