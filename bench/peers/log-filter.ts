// The filter semantics of the WebSocket API, written the plain way a peer server would: a level
// set, an exact source (or list of sources), and a case-insensitive substring pattern on the
// message. Used by the two peers and to compute how many frames the benchmark's message mix
// should deliver; the gateway has its own compiled, indexed implementation.
import { FilterSchema, type Filter } from '../../shared/protocol/index.ts';

export interface LogFields {
  level?: unknown;
  source?: unknown;
  message?: unknown;
}

export type LogPredicate = (log: LogFields) => boolean;

const asList = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** Validate a client's filter (`null`/absent: everything); throws on an invalid one. */
export function parseFilter(input: unknown): Filter | null {
  return input === null || input === undefined ? null : FilterSchema.parse(input);
}

export function compileLogFilter(filter: Filter | null): LogPredicate {
  if (!filter) return () => true;
  const levels = asList(filter.level);
  const sources = asList(filter.source);
  const pattern = filter.pattern ? filter.pattern.toLowerCase() : undefined;
  return (log) =>
    (!levels || levels.includes(log.level as never)) &&
    (!sources || sources.includes(log.source as string)) &&
    (!pattern || (typeof log.message === 'string' && log.message.toLowerCase().includes(pattern)));
}
