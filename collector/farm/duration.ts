// Durations in the farm configuration: a number of milliseconds, or a string in the one duration
// grammar (shared/duration.ts: `1500ms`, `30s`, `1.5h`, `2w`) so an operator never has to count zeros.
import { z } from 'zod';
import { DURATION_HINT, DurationError, formatDuration, parseDuration } from '../../shared/duration.ts';

/** A duration in milliseconds, from `min` to `max` (inclusive). */
export function duration(min: number, max: number) {
  return z
    .union([z.number(), z.string()], { error: `must be a duration: milliseconds, or ${DURATION_HINT}` })
    .transform((value, ctx) => {
      let ms: number;
      try {
        ms = typeof value === 'number' ? value : parseDuration(value);
      } catch (err) {
        if (!(err instanceof DurationError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
        return z.NEVER;
      }
      if (!Number.isFinite(ms) || ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${formatDuration(min)} and ${formatDuration(max)}` });
        return z.NEVER;
      }
      return Math.round(ms);
    });
}
