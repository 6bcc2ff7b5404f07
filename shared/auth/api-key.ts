// API keys: how they look, how they are stored, and what a stored key may do. Shared by the
// `licmon keys` CLI (which creates and revokes them) and the gateway (which checks them).
//
// A key is `lmk_` and 43 base64url characters (32 random bytes): only characters valid in a
// WebSocket sub-protocol token, so the spec's browser form `['api_key', KEY]` works, and a prefix
// that secret scanners and log redaction can recognise. Only its SHA-256 digest is stored: a
// key this random needs no salt or slow hash, and the digest cannot be turned back into a key.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SiteNameSchema } from '../protocol/index.ts';

export const API_KEY_PREFIX = 'lmk_';
const KEY_BYTES = 32;

/** Matches a generated key anywhere in a text (log redaction). */
export const GENERATED_KEY_IN_TEXT = /lmk_[A-Za-z0-9_-]{43}/g;

/** Keys longer than this are refused before any work is done (env keys included). */
export const MAX_API_KEY_LENGTH = 256;

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/** The stored form of a key: SHA-256, hex. */
export function digestApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The endpoint scopes a key may hold; `combined` is a scope of its own. */
export const API_KEY_ENDPOINTS = ['logs', 'metrics', 'combined'] as const;
export type ApiKeyEndpoint = (typeof API_KEY_ENDPOINTS)[number];

export const KeyNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a key name is 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

/** What Redis holds for a key (JSON), under its digest. */
export const ApiKeyRecordSchema = z.object({
  name: KeyNameSchema,
  /** ms since epoch */
  createdAt: z.number().int(),
  /** ms since epoch; null: never expires */
  expiresAt: z.number().int().nullable(),
  /** Sites the key may see; null: every site. */
  sites: z.array(SiteNameSchema).min(1).nullable(),
  /** Endpoints the key may open; null: all. */
  endpoints: z.array(z.enum(API_KEY_ENDPOINTS)).min(1).nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

export function isExpired(record: Pick<ApiKeyRecord, 'expiresAt'>, now = Date.now()): boolean {
  return record.expiresAt !== null && record.expiresAt <= now;
}

/** Published on the control channel when a key is revoked; carries the digest, never the key. */
export const KeyRevokedSchema = z.object({ type: z.literal('key-revoked'), digest: z.string().regex(/^[0-9a-f]{64}$/), name: z.string() });
export type KeyRevoked = z.infer<typeof KeyRevokedSchema>;
