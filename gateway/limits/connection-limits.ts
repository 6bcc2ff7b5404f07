// Live connections by API key and by client address: enforces the per-key and per-address
// limits at the upgrade, and finds a key's connections when it is revoked or expires.
import type { GatewayCloseCode } from '../../shared/protocol/index.ts';
import type { Principal } from '../auth/authenticator.ts';

/** What the registry needs of a connection (a Session). */
export interface TrackedConnection {
  readonly principal: Principal;
  close(code: GatewayCloseCode, reason: string): void;
}

export interface ConnectionLimitPolicy {
  /** Open connections per API key; 0: unlimited. */
  readonly perKey: number;
  /** Open connections per client address; 0: unlimited. */
  readonly perAddress: number;
}

/** A key's identity for the per-key limit: stored keys by digest, API_KEYS entries by name. */
const identity = (principal: Principal) => principal.keyId ?? `env:${principal.name}`;

interface AddressEntry {
  readonly address: string;
  count: number;
}

export class ConnectionRegistry<C extends TrackedConnection = TrackedConnection> {
  private readonly byKey = new Map<string, Set<C>>();
  /** Per address, its open connections; each connection points at its address's entry (one shared copy of the string). */
  private readonly byAddress = new Map<string, AddressEntry>();
  private readonly addressOf = new Map<C, AddressEntry>();

  constructor(private readonly policy: ConnectionLimitPolicy) {}

  /** Why a new connection must be refused (HTTP 429), or undefined when it may open. */
  refusal(principal: Principal, address: string): string | undefined {
    const { perKey, perAddress } = this.policy;
    if (perKey > 0 && (this.byKey.get(identity(principal))?.size ?? 0) >= perKey) {
      return `too many connections for this API key (the limit is ${perKey}); close some first`;
    }
    if (perAddress > 0 && (this.byAddress.get(address)?.count ?? 0) >= perAddress) {
      return `too many connections from this address (the limit is ${perAddress}); close some first`;
    }
    return undefined;
  }

  add(connection: C, address: string): void {
    const id = identity(connection.principal);
    let set = this.byKey.get(id);
    if (!set) this.byKey.set(id, (set = new Set()));
    set.add(connection);
    let entry = this.byAddress.get(address);
    if (!entry) this.byAddress.set(address, (entry = { address, count: 0 }));
    entry.count++;
    this.addressOf.set(connection, entry);
  }

  remove(connection: C): void {
    const entry = this.addressOf.get(connection);
    if (entry === undefined) return;
    this.addressOf.delete(connection);
    if (--entry.count <= 0) this.byAddress.delete(entry.address);
    const id = identity(connection.principal);
    const set = this.byKey.get(id);
    set?.delete(connection);
    if (set?.size === 0) this.byKey.delete(id);
  }

  /** Close every connection of a stored key (by digest); returns how many were closed. */
  closeKey(keyId: string, code: GatewayCloseCode, reason: string): number {
    const set = this.byKey.get(keyId);
    if (!set) return 0;
    const connections = [...set]; // closing removes them from the set
    for (const connection of connections) connection.close(code, reason);
    return connections.length;
  }

  /** The stored keys (digests) that have live connections, with their expiry. */
  *liveKeys(): Iterable<{ keyId: string; expiresAt: number | null }> {
    for (const set of this.byKey.values()) {
      const principal = set.values().next().value?.principal;
      if (principal?.keyId) yield { keyId: principal.keyId, expiresAt: principal.expiresAt ?? null };
    }
  }

  get size(): number {
    return this.addressOf.size;
  }
}
