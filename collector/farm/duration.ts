// Durations in the farm configuration: a number of milliseconds, or a string with a unit
// (`500ms`, `30s`, `5m`, `1h`, `90d`) so an operator never has to count zeros.
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** A duration in milliseconds, from `min` to `max` (inclusive). */
export function duration(min: number, max: number) {
  return z
    .union([z.number(), z.string()], { error: 'must be a duration: milliseconds, or a number with ms, s, m, h or d' })
    .transform((value, ctx) => {
      const ms = typeof value === 'number' ? value : parseDuration(value);
      if (ms === undefined || !Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration (e.g. 500ms, 30s, 5m, 1h, 7d)` });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${formatDuration(min)} and ${formatDuration(max)}` });
        return z.NEVER;
      }
      return Math.round(ms);
    });
}

export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The largest whole unit that fits: 90000 → `90s`, 3600000 → `1h`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
