// A connection's filter, validated and compiled once when the client subscribes, then matched
// on the fan-out path. Equal filters compile to the same `key`, so the hub evaluates each distinct
// filter once per message for every connection that holds it.
import { LEVELS, type Filter, type Level } from '../../shared/protocol/index.ts';
import { compilePattern, type PatternMatcher } from '../../shared/pattern/pattern.ts';

export const LEVEL_INDEX: Readonly<Record<Level, number>> = Object.fromEntries(LEVELS.map((l, i) => [l, i])) as Record<Level, number>;
export const ALL_LEVELS = (1 << LEVELS.length) - 1;

export interface CompiledFilter {
  /** Canonical text of the filter and the key's site scope: equal keys match the same messages. */
  readonly key: string;
  /** One bit per level (LEVEL_INDEX); ALL_LEVELS when the filter names none. */
  readonly levelMask: number;
  readonly sources: ReadonlySet<string> | null;
  /** Sites this connection may receive: the filter's, narrowed by the API key's scope. */
  readonly sites: ReadonlySet<string> | null;
  readonly pattern: PatternMatcher | null;
}

const asList = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/**
 * Compile a validated filter (`null`: everything). `scope` is the API key's site scope; a scoped
 * key never receives a message outside it, nor one without a site, whatever the filter says.
 * Throws PatternSyntaxError for a pattern that does not compile.
 */
export function compileFilter(filter: Filter | null, scope: ReadonlySet<string> | null = null): CompiledFilter {
  // Most connections hold no filter and no scope: they share one compiled filter.
  if (filter === null && scope === null) return (everything ??= build(null, null));
  return build(filter, scope);
}

let everything: CompiledFilter | undefined;

function build(filter: Filter | null, scope: ReadonlySet<string> | null): CompiledFilter {
  const levels = asList(filter?.level);
  const sources = asList(filter?.source);
  let sites: Set<string> | null = asList(filter?.site) ? new Set(asList(filter?.site)) : null;
  if (scope) sites = sites ? new Set([...sites].filter((s) => scope.has(s))) : new Set(scope);
  const patternText = filter?.pattern ? filter.pattern : null;

  let levelMask = levels ? 0 : ALL_LEVELS;
  for (const level of levels ?? []) levelMask |= 1 << LEVEL_INDEX[level];

  const sortedSources = sources ? [...new Set(sources)].sort() : null;
  const sortedSites = sites ? [...sites].sort() : null;
  const key = JSON.stringify([levelMask, sortedSources, sortedSites, patternText]);
  return {
    key,
    levelMask,
    sources: sortedSources ? new Set(sortedSources) : null,
    sites: sites ?? null,
    pattern: patternText === null ? null : compilePattern(patternText),
  };
}

/** Does a log or alert pass? `site` undefined means the message carries none. */
export function matchesEvent(f: CompiledFilter, levelIndex: number, source: string, site: string | undefined, message: string): boolean {
  if ((f.levelMask & (1 << levelIndex)) === 0) return false;
  if (f.sites !== null && (site === undefined || !f.sites.has(site))) return false;
  if (f.sources !== null && !f.sources.has(source)) return false;
  return f.pattern === null || f.pattern(message);
}

/** Does a metrics snapshot pass? Only `site` and `source` apply to metrics. */
export function matchesMetrics(f: CompiledFilter, source: string | undefined, site: string | undefined): boolean {
  if (f.sites !== null && (site === undefined || !f.sites.has(site))) return false;
  return f.sources === null || (source !== undefined && f.sources.has(source));
}
