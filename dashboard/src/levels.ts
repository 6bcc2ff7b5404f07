// The protocol's log levels, least to most severe. A Record over the protocol's Level type must
// name every level and only those, so this stays in step with shared/protocol without pulling
// its zod schemas into the page.
import type { Level } from '@licmon/client';

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3, critical: 4 };

export const LEVELS: readonly Level[] = (Object.keys(RANK) as Level[]).sort((a, b) => RANK[a] - RANK[b]);

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Higher is more severe. */
export function severity(level: Level): number {
  return RANK[level];
}
