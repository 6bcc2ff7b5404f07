// Message ids and `since` lists. An id names its stream and its place in it:
//
//     <stream>:<epoch>:<ms>-<seq>        e.g.  berlin:k3x9a2:1732950000000-4
//
// <stream> is the site (or "_" for messages without one); <ms>-<seq> is the Redis Stream entry id,
// so within one epoch ids increase by ms, then seq, compared as numbers. The epoch changes when a
// stream's history is lost (Redis restarted without persistence): an id from another epoch cannot
// be resumed from exactly, and the gateway says so (HISTORY_TRUNCATED) instead of trusting clocks.

export interface StreamPosition {
  readonly ms: number;
  readonly seq: number;
}

export interface StreamId extends StreamPosition {
  readonly stream: string;
  readonly epoch: string;
}

import { randomBytes } from 'node:crypto';

/** A new random epoch token (base 36, up to 8 characters). */
export const newEpoch = (): string => BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36);

const ID_RE = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,63}):([a-z0-9]{1,16}):(\d{1,15})-(\d{1,15})$/;

export function parseStreamId(text: string): StreamId | undefined {
  const m = ID_RE.exec(text);
  if (!m) return undefined;
  return { stream: m[1]!, epoch: m[2]!, ms: Number(m[3]), seq: Number(m[4]) };
}

export function formatStreamId(id: StreamId): string {
  return `${id.stream}:${id.epoch}:${id.ms}-${id.seq}`;
}

/** Parse a Redis Stream entry id (`<ms>-<seq>`). */
export function parsePosition(text: string): StreamPosition | undefined {
  const dash = text.indexOf('-');
  if (dash <= 0) return undefined;
  const ms = Number(text.slice(0, dash));
  const seq = Number(text.slice(dash + 1));
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : undefined;
}

export function formatPosition(p: StreamPosition): string {
  return `${p.ms}-${p.seq}`;
}

/** Negative, zero or positive as a is before, equal to or after b. */
export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq;
}

export class InvalidSinceError extends Error {
  override name = 'InvalidSinceError';
}

export const MAX_SINCE_STREAMS = 256;

/**
 * Parse a `since` list: the last id seen in each stream, comma-separated. Naming a stream twice
 * keeps the later id. Throws InvalidSinceError naming the bad part.
 */
export function parseSince(text: string): Map<string, StreamId> {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new InvalidSinceError('since is empty: give the last id seen in each stream, comma-separated');
  if (parts.length > MAX_SINCE_STREAMS) throw new InvalidSinceError(`since names more than ${MAX_SINCE_STREAMS} streams`);
  const result = new Map<string, StreamId>();
  for (const part of parts) {
    const id = parseStreamId(part);
    if (!id) throw new InvalidSinceError(`"${part.slice(0, 80)}" is not an id issued by this API (expected <stream>:<epoch>:<ms>-<seq>)`);
    const seen = result.get(id.stream);
    if (!seen || (seen.epoch === id.epoch && comparePositions(id, seen) > 0) || seen.epoch !== id.epoch) result.set(id.stream, id);
  }
  return result;
}

/** Fast path for the hub: the id a bus frame starts with (`{"id":"…",`), or undefined. */
export function leadingId(json: string): string | undefined {
  if (!json.startsWith('{"id":"')) return undefined;
  const end = json.indexOf('"', 7);
  return end > 7 ? json.slice(7, end) : undefined;
}
