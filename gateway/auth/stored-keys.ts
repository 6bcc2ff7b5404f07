// Keys from the Redis key store (created with `licmon keys create`). A key is looked up by its
// SHA-256 digest, so Redis never sees the key, and whatever the lookup's timing reveals is about
// digests — which cannot be walked back to a key — never about how much of a guessed key was right.
// Answers are cached briefly; a revocation drops the key from the cache at once (invalidate).
import { digestApiKey, isExpired, MAX_API_KEY_LENGTH, type ApiKeyRecord } from '../../shared/auth/api-key.ts';
import type { EndpointName } from '../endpoints.ts';
import { admit, UNAUTHORIZED, type AuthResult, type Authenticator, type Principal } from './authenticator.ts';

/** The part of the key store the gateway reads. */
export interface KeyLookup {
  lookup(digest: string): Promise<ApiKeyRecord | undefined>;
}

interface CacheEntry {
  readonly principal: Principal;
  readonly fetchedAt: number;
}

/** Enough for every live key of a large deployment; beyond it the oldest entries go. */
const MAX_CACHED_KEYS = 10_000;

export class StoredKeyAuthenticator implements Authenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: KeyLookup,
    private readonly cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(key: string | undefined, endpoint: EndpointName): AuthResult | Promise<AuthResult> {
    if (!key || key.length > MAX_API_KEY_LENGTH) return UNAUTHORIZED;
    const digest = digestApiKey(key);
    const cached = this.cache.get(digest);
    if (cached && this.now() - cached.fetchedAt < this.cacheTtlMs) return this.check(cached.principal, endpoint);
    return this.store.lookup(digest).then((record) => {
      if (!record) {
        this.cache.delete(digest);
        return UNAUTHORIZED;
      }
      const principal = toPrincipal(digest, record);
      this.remember(digest, principal);
      return this.check(principal, endpoint);
    });
  }

  /** Forget a key (it was revoked): the next connect asks Redis, which no longer has it. */
  invalidate(digest: string): void {
    this.cache.delete(digest);
  }

  private check(principal: Principal, endpoint: EndpointName): AuthResult {
    if (isExpired({ expiresAt: principal.expiresAt ?? null }, this.now())) return { ok: false, status: 401, message: 'this API key has expired' };
    return admit(principal, endpoint);
  }

  private remember(digest: string, principal: Principal): void {
    this.cache.delete(digest);
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(digest, { principal, fetchedAt: this.now() });
  }
}

function toPrincipal(digest: string, record: ApiKeyRecord): Principal {
  return {
    keyId: digest,
    name: record.name,
    sites: record.sites ? new Set(record.sites) : null,
    endpoints: record.endpoints ? new Set(record.endpoints) : null,
    expiresAt: record.expiresAt,
  };
}
