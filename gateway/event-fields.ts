// Reading the fields filters need out of a parsed log or alert, in one place, for the live
// fan-out and for replay alike.
import { KIND_ALERT, KIND_LOG } from './endpoints.ts';
import { LEVEL_INDEX, matchesEvent, type CompiledFilter } from './filter/filter.ts';

export interface EventFields {
  /** KIND_LOG or KIND_ALERT. */
  readonly kind: number;
  readonly levelIndex: number;
  readonly source: string;
  readonly site: string | undefined;
  readonly message: string;
}

/** The filterable fields of a parsed bus message, or undefined if it is not a valid log or alert. */
export function eventFields(message: unknown): EventFields | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  const kind = m.type === 'log' ? KIND_LOG : m.type === 'alert' ? KIND_ALERT : 0;
  const levelIndex = LEVEL_INDEX[m.level as keyof typeof LEVEL_INDEX];
  const { source, site, message: text } = m;
  if (kind === 0 || levelIndex === undefined || typeof source !== 'string' || typeof text !== 'string') return undefined;
  if (site !== undefined && typeof site !== 'string') return undefined;
  return { kind, levelIndex, source, site: site as string | undefined, message: text };
}

/** Would a connection on an endpoint carrying `kinds`, holding `filter`, receive this event? */
export function accepts(kinds: number, filter: CompiledFilter, fields: EventFields): boolean {
  return (kinds & fields.kind) !== 0 && matchesEvent(filter, fields.levelIndex, fields.source, fields.site, fields.message);
}
