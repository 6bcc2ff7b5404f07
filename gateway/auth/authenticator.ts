// The auth seam: who is connecting, and what may they see. Implementations sit beside this file.
import type { EndpointName } from '../endpoints.ts';

export interface Principal {
  /** The key's name, for logs and metrics (never the key itself). */
  readonly name: string;
  /** Sites this key may see; null means every site. */
  readonly sites: ReadonlySet<string> | null;
  /** Endpoints this key may open; null means all. */
  readonly endpoints: ReadonlySet<EndpointName> | null;
  /**
   * A stored key's SHA-256 digest (hex): how revocations name it. Absent for API_KEYS entries,
   * which cannot be revoked. Not the key, but it identifies one: never logged.
   */
  readonly keyId?: string;
  /** When the key stops working (ms since epoch); absent or null: never. */
  readonly expiresAt?: number | null;
}

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 403 | 429; readonly message: string };

export interface Authenticator {
  authenticate(key: string | undefined, endpoint: EndpointName): AuthResult | Promise<AuthResult>;
}

export const UNAUTHORIZED: AuthResult = { ok: false, status: 401, message: 'missing or invalid API key' };

/** Applies a principal's endpoint scope. */
export function admit(principal: Principal, endpoint: EndpointName): AuthResult {
  if (principal.endpoints && !principal.endpoints.has(endpoint)) {
    return { ok: false, status: 403, message: `this API key may not open /ws/${endpoint}` };
  }
  return { ok: true, principal };
}
