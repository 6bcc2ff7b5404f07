// A filter's size limits, configurable below the schema's hard caps (shared/protocol FILTER_LIMITS):
// a filter is compiled and held per connection, so its size is part of what a client may cost.
import type { Filter } from '../../shared/protocol/index.ts';

export interface FilterLimits {
  readonly maxPatternLength: number;
  readonly maxSources: number;
  readonly maxSites: number;
}

const count = (value: string | string[] | undefined) => (value === undefined ? 0 : Array.isArray(value) ? value.length : 1);

/** Why a (schema-valid) filter is over the configured limits, or undefined. */
export function filterLimitViolation(filter: Filter | null, limits: FilterLimits): string | undefined {
  if (!filter) return undefined;
  if ((filter.pattern?.length ?? 0) > limits.maxPatternLength) return `filter.pattern: at most ${limits.maxPatternLength} characters`;
  if (count(filter.source) > limits.maxSources) return `filter.source: at most ${limits.maxSources} values`;
  if (count(filter.site) > limits.maxSites) return `filter.site: at most ${limits.maxSites} values`;
  return undefined;
}
