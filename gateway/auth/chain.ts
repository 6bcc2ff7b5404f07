// Several key sources at once (API_KEYS from the environment, then the Redis key store): the
// first that knows the key decides. Synchronous sources answer synchronously, so an env key keeps
// working while Redis is away.
import type { EndpointName } from '../endpoints.ts';
import { UNAUTHORIZED, type AuthResult, type Authenticator } from './authenticator.ts';

export class ChainAuthenticator implements Authenticator {
  constructor(private readonly sources: readonly Authenticator[]) {}

  authenticate(key: string | undefined, endpoint: EndpointName): AuthResult | Promise<AuthResult> {
    return this.from(0, key, endpoint);
  }

  private from(index: number, key: string | undefined, endpoint: EndpointName): AuthResult | Promise<AuthResult> {
    const source = this.sources[index];
    if (!source) return UNAUTHORIZED;
    const result = source.authenticate(key, endpoint);
    const last = index === this.sources.length - 1;
    const next = (r: AuthResult) => (r.ok || r.status !== 401 || !key || last ? r : this.from(index + 1, key, endpoint));
    return result instanceof Promise ? result.then(next) : next(result);
  }
}
