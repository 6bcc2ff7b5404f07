// Keys from the API_KEYS environment variable: the simple mode for development and small setups.
// Every comparison is constant-time over SHA-256 digests, and every configured key is compared,
// so timing reveals neither a key's prefix nor which key matched.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EndpointName } from '../endpoints.ts';
import { admit, UNAUTHORIZED, type AuthResult, type Authenticator, type Principal } from './authenticator.ts';

const digest = (key: string) => createHash('sha256').update(key).digest();

export class StaticKeyAuthenticator implements Authenticator {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(keys: readonly string[]) {
    this.entries = keys.map((key, i) => ({ digest: digest(key), principal: { name: `env-${i + 1}`, sites: null, endpoints: null } }));
  }

  authenticate(key: string | undefined, endpoint: EndpointName): AuthResult {
    if (!key) return UNAUTHORIZED;
    const candidate = digest(key);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && !found) found = entry.principal;
    }
    return found ? admit(found, endpoint) : UNAUTHORIZED;
  }
}
