// The gateway's defences against hostile or careless clients, assembled from config in one place:
// who may connect (API_KEYS and the Redis key store), revocation and expiry, connection limits per
// key and per address, the failed-authentication throttle, the log of refused upgrades, the Origin allow-list, client message
// rate limits and filter size limits. gateway.ts calls it at the upgrade, open, message and close.
import type { KeyStore } from '../shared/auth/key-store.ts';
import type { GatewayConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { CloseCode, ErrorCode } from '../shared/protocol/index.ts';
import type { Authenticator } from './auth/authenticator.ts';
import { ChainAuthenticator } from './auth/chain.ts';
import { KeyWatcher } from './auth/key-watcher.ts';
import { StaticKeyAuthenticator } from './auth/static-keys.ts';
import { StoredKeyAuthenticator } from './auth/stored-keys.ts';
import { AuthThrottle } from './limits/auth-throttle.ts';
import { ConnectionRegistry } from './limits/connection-limits.ts';
import type { FilterLimits } from './limits/filter-limits.ts';
import { OriginPolicy } from './limits/origin.ts';
import { MessageRateLimiter, type RatePolicy } from './limits/rate-limiter.ts';
import { RefusalLog } from './limits/refusal-log.ts';
import type { Session } from './session.ts';

export interface SecurityDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** The Redis key store; without it only API_KEYS (and `authenticator`) admit anyone. */
  readonly keyStore?: KeyStore;
  /** Replaces API_KEYS and the key store (tests, embedding). */
  readonly authenticator?: Authenticator;
  readonly countError: (code: ErrorCode) => void;
}

/** How often the throttle forgets old failures and the refusal log ends its windows. */
const SWEEP_MS = 60_000;

export class GatewaySecurity {
  readonly authenticator: Authenticator;
  readonly registry: ConnectionRegistry<Session>;
  readonly throttle: AuthThrottle;
  /** Every refused upgrade, logged (rate-limited per address). */
  readonly refusals: RefusalLog;
  readonly origins: OriginPolicy;
  readonly trustProxy: boolean;
  readonly filterLimits: FilterLimits;
  private readonly ratePolicy: RatePolicy;
  private readonly watcher: KeyWatcher | undefined;
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SecurityDeps) {
    const { config, keyStore, logger } = deps;
    const stored = keyStore ? new StoredKeyAuthenticator(keyStore, config.KEY_CACHE_TTL_MS) : undefined;
    this.authenticator = deps.authenticator ?? new ChainAuthenticator([new StaticKeyAuthenticator(config.API_KEYS), ...(stored ? [stored] : [])]);
    this.registry = new ConnectionRegistry({ perKey: config.MAX_CONNECTIONS_PER_KEY, perAddress: config.MAX_CONNECTIONS_PER_IP });
    this.throttle = new AuthThrottle({ maxFailures: config.AUTH_FAILURES_PER_IP, windowMs: config.AUTH_FAILURE_WINDOW_MS, blockMs: config.AUTH_BLOCK_MS });
    this.refusals = new RefusalLog(logger);
    this.origins = new OriginPolicy(config.ALLOWED_ORIGINS);
    this.trustProxy = config.TRUST_PROXY;
    this.filterLimits = { maxPatternLength: config.FILTER_MAX_PATTERN_LENGTH, maxSources: config.FILTER_MAX_SOURCES, maxSites: config.FILTER_MAX_SITES };
    this.ratePolicy = { perSecond: config.RATE_LIMIT_PER_SEC, burst: config.RATE_LIMIT_BURST, maxViolations: config.RATE_LIMIT_MAX_VIOLATIONS };
    this.watcher = keyStore && stored
      ? new KeyWatcher({ store: keyStore, registry: this.registry, invalidate: (digest) => stored.invalidate(digest), logger, recheckMs: config.KEY_RECHECK_INTERVAL_MS })
      : undefined;
  }

  /** Start hearing revocations and sweeping expired keys. */
  async start(): Promise<void> {
    await this.watcher?.start();
    this.sweep = setInterval(() => {
      this.throttle.sweep();
      this.refusals.flush();
    }, SWEEP_MS);
    this.sweep.unref();
  }

  stop(): void {
    this.watcher?.stop();
    clearInterval(this.sweep);
    this.refusals.close();
  }

  newRateLimiter(): MessageRateLimiter {
    return new MessageRateLimiter(this.ratePolicy, Date.now());
  }

  opened(session: Session, address: string): void {
    this.registry.add(session, address);
  }

  closed(session: Session): void {
    this.registry.remove(session);
  }

  /** Whether to handle this client message; over the rate limit it is dropped, the client told, then closed. */
  admitMessage(session: Session, limiter: MessageRateLimiter): boolean {
    switch (limiter.take(Date.now())) {
      case 'ok':
        return true;
      case 'drop':
        return false;
      case 'warn':
        this.deps.countError(ErrorCode.RATE_LIMITED);
        session.sendError(ErrorCode.RATE_LIMITED, `too many messages: at most ${this.ratePolicy.perSecond} per second (bursts of ${this.ratePolicy.burst}); messages over the limit are ignored, and a client that keeps sending is disconnected`);
        return false;
      case 'close':
        session.close(CloseCode.POLICY_VIOLATION, 'rate limit: kept sending after RATE_LIMITED; reconnect more gently');
        return false;
    }
  }
}
