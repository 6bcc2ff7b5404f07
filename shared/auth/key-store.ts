// The API key store in Redis, used by the `licmon keys` CLI (create, list, revoke) and by every
// gateway (look up, hear revocations). Layout (names in shared/bus/keys.ts):
//   {prefix}:{_auth}:keys    hash  digest → record JSON   (never the key itself)
//   {prefix}:{_auth}:names   hash  name → digest          (unique names; revoke by name)
//   {prefix}:control         channel of control messages  ({"type":"key-revoked","digest","name"})
// Creating and revoking are Lua scripts, so each is one atomic step and a revocation is announced
// in the same step that deletes the key.
import { readFileSync } from 'node:fs';
import { BusKeys } from '../bus/keys.ts';
import { createRedisClient, type RedisClient, type RedisTarget } from '../bus/redis-connection.ts';
import type { Logger } from '../logger.ts';
import { ApiKeyRecordSchema, digestApiKey, generateApiKey, KeyRevokedSchema, type ApiKeyRecord, type KeyRevoked } from './api-key.ts';

const script = (name: string) => readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');

type ScriptedRedis = RedisClient & {
  licmonCreateKey(records: string, names: string, digest: string, name: string, json: string): Promise<number>;
  licmonRevokeKey(records: string, names: string, name: string, channel: string): Promise<number>;
};

/** Where Redis is (`url`, or `clusterNodes` for a Redis Cluster), the key prefix, a logger. */
export type KeyStoreOptions = RedisTarget & {
  prefix: string;
  logger?: Logger;
};

export interface NewKey {
  name: string;
  sites?: readonly string[] | null;
  endpoints?: ApiKeyRecord['endpoints'];
  expiresAt?: number | null;
}

export class KeyNameTakenError extends Error {
  override name = 'KeyNameTakenError';
}

export class KeyStore {
  private readonly keys: BusKeys;
  private readonly cmd: ScriptedRedis;
  private sub: RedisClient | undefined;
  private readonly revokedListeners: Array<(event: KeyRevoked) => void> = [];
  private readonly resubscribedListeners: Array<() => void> = [];

  constructor(private readonly options: KeyStoreOptions) {
    this.keys = new BusKeys(options.prefix);
    this.cmd = createRedisClient(options, { maxRetriesPerRequest: 2 }) as ScriptedRedis;
    this.cmd.defineCommand('licmonCreateKey', { numberOfKeys: 2, lua: script('create-key') });
    this.cmd.defineCommand('licmonRevokeKey', { numberOfKeys: 2, lua: script('revoke-key') });
    this.cmd.on('error', (err: Error) => options.logger?.warn({ err }, 'key store: redis connection error'));
  }

  async connect(): Promise<this> {
    await this.cmd.connect();
    return this;
  }

  /** Create a key; the plaintext is returned once, here, and stored nowhere. */
  async create(spec: NewKey, now = Date.now()): Promise<{ key: string; record: ApiKeyRecord }> {
    const record = ApiKeyRecordSchema.parse({
      name: spec.name,
      createdAt: now,
      expiresAt: spec.expiresAt ?? null,
      sites: spec.sites?.length ? [...new Set(spec.sites)] : null,
      endpoints: spec.endpoints?.length ? [...new Set(spec.endpoints)] : null,
    });
    const key = generateApiKey();
    const created = await this.cmd.licmonCreateKey(this.keys.apiKeys(), this.keys.apiKeyNames(), digestApiKey(key), record.name, JSON.stringify(record));
    if (created !== 1) throw new KeyNameTakenError(`a key named "${record.name}" already exists; revoke it first or choose another name`);
    return { key, record };
  }

  /** Every stored key's record (expired ones included), by name. */
  async list(): Promise<ApiKeyRecord[]> {
    const all = await this.cmd.hvals(this.keys.apiKeys());
    return all.flatMap((json) => parseRecord(json) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Delete a key by name and announce it to every gateway; false when no key has that name. */
  async revoke(name: string): Promise<boolean> {
    return (await this.cmd.licmonRevokeKey(this.keys.apiKeys(), this.keys.apiKeyNames(), name, this.keys.control())) === 1;
  }

  /** The record stored under a key's digest, or undefined (never created, or revoked). */
  async lookup(digest: string): Promise<ApiKeyRecord | undefined> {
    const json = await this.cmd.hget(this.keys.apiKeys(), digest);
    return json === null ? undefined : parseRecord(json);
  }

  /** Which of these digests are still stored (a revocation missed while away is caught here). */
  async stillStored(digests: readonly string[]): Promise<boolean[]> {
    if (digests.length === 0) return [];
    const values = await this.cmd.hmget(this.keys.apiKeys(), ...digests);
    return values.map((v) => v !== null);
  }

  /**
   * Hear revocations (and, after the control subscription was lost and restored, `resubscribed`:
   * revocations may have been missed meanwhile). Opens the subscriber connection on first use.
   */
  async watch(onRevoked: (event: KeyRevoked) => void, onResubscribed: () => void): Promise<void> {
    this.revokedListeners.push(onRevoked);
    this.resubscribedListeners.push(onResubscribed);
    if (this.sub) return;
    const sub = createRedisClient(this.options, { maxRetriesPerRequest: null });
    this.sub = sub;
    sub.on('error', (err: Error) => this.options.logger?.warn({ err }, 'key store: control subscription error'));
    sub.on('message', (_channel: string, payload: string) => {
      const event = parseRevoked(payload);
      if (!event) return this.options.logger?.warn('key store: ignored a malformed control message');
      for (const listener of this.revokedListeners) listener(event);
    });
    let connectedOnce = false;
    sub.on('ready', () => {
      // ioredis resubscribes by itself after a reconnect; what was published meanwhile is lost.
      if (connectedOnce) for (const listener of this.resubscribedListeners) listener();
      connectedOnce = true;
    });
    await sub.connect();
    await sub.subscribe(this.keys.control());
  }

  async close(): Promise<void> {
    this.sub?.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }
}

function parseRecord(json: string): ApiKeyRecord | undefined {
  try {
    const result = ApiKeyRecordSchema.safeParse(JSON.parse(json));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function parseRevoked(payload: string): KeyRevoked | undefined {
  try {
    const result = KeyRevokedSchema.safeParse(JSON.parse(payload));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
