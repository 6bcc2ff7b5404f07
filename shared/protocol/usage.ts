// Usage history over HTTP: `GET /api/usage` on a gateway (README, "Usage history"). The query
// string and the answer. Collectors keep one point per minute per (site, server, feature); the
// gateway groups them into buckets of `step` and answers, per server, each bucket's min/max/avg
// of used licenses and the range's peak, time at 100% and denials.
import { z } from 'zod';
import { SiteNameSchema } from './fields.ts';

/** The finest grain kept: one point per minute. A step is a whole number of these. */
export const USAGE_POINT_MS = 60_000;
/** At most this many buckets per answer (a smaller step over a longer range is refused). */
export const USAGE_MAX_BUCKETS = 2_000;

const list = (item: z.ZodType<string>, what: string) =>
  z.string().transform((text, ctx) => {
    const values = text.split(',').map((v) => v.trim()).filter(Boolean);
    for (const value of values) {
      if (!item.safeParse(value).success) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not ${what}` });
    }
    return values;
  });

/** A time in the query: ISO 8601, or ms since the epoch. */
const instant = z.string().transform((text, ctx) => {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a time: write ISO 8601 or ms since the epoch` });
  return ms;
});

/** A step: ms, or a number with m, h or d (`5m`, `1h`), a whole number of minutes. */
const step = z.string().transform((text, ctx) => {
  const match = /^(\d{1,9})(ms|m|h|d)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * { ms: 1, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms' | 'm' | 'h' | 'd'] : NaN;
  if (!(ms >= USAGE_POINT_MS) || ms % USAGE_POINT_MS !== 0) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a step: a whole number of minutes, e.g. 1m, 5m, 1h` });
  return ms;
});

/** `GET /api/usage?…`: every parameter is text in the URL. Unknown parameters are refused. */
export const UsageQuerySchema = z.strictObject({
  /** The feature (exact name). */
  feature: z.string().min(1).max(256),
  /** Only these sites (comma-separated); default every site the key may see. */
  site: list(SiteNameSchema, 'a site name').optional(),
  /** Only these license servers (comma-separated ids). */
  server: list(z.string().min(1).max(256), 'a server id').optional(),
  /** Start of the range (default: `to` minus 24 h). */
  from: instant.optional(),
  /** End of the range (default: now). */
  to: instant.optional(),
  /** Bucket width (default: the range over 360, rounded up to whole minutes). */
  step: step.optional(),
});
export type UsageQuery = z.input<typeof UsageQuerySchema>;

/** One bucket of one server's series. */
export const UsageBucketSchema = z.object({
  /** Start of the bucket, ms since the epoch. */
  t: z.number().int(),
  /** Licenses issued (the largest seen in the bucket); null: uncounted. */
  issued: z.number().int().nonnegative().nullable(),
  /** Licenses in use: least, most (the bucket's peak) and average of the polls in the bucket. */
  min: z.number().nonnegative(),
  max: z.number().nonnegative(),
  avg: z.number().nonnegative(),
  /** Requests queued: the most seen in the bucket. */
  queued: z.number().int().nonnegative(),
  /** Denials logged in the bucket. */
  denials: z.number().int().nonnegative(),
  /** Milliseconds of the bucket spent with every issued license in use. */
  fullMs: z.number().int().nonnegative(),
});

/** The peak of a range: the most licenses in use and when (the start of the first minute it was reached). */
export const UsagePeakSchema = z.object({
  used: z.number().nonnegative(),
  at: z.number().int(),
  /** Licenses issued then; null: uncounted. */
  issued: z.number().int().nonnegative().nullable(),
});

/** What a range adds up to: over one server's series, or over every server of the answer. */
export const UsageSummarySchema = z.object({
  /** null when the range holds no point. */
  peak: UsagePeakSchema.nullable(),
  /** Average licenses in use over the minutes that hold a point. */
  avg: z.number().nonnegative(),
  fullMs: z.number().int().nonnegative(),
  denials: z.number().int().nonnegative(),
});

export const UsageSeriesSchema = z.object({
  site: z.string(),
  server: z.string(),
  /** Buckets that hold at least one point, oldest first (a gap: nothing was recorded then). */
  buckets: z.array(UsageBucketSchema),
  summary: UsageSummarySchema,
});

/** The answer of `GET /api/usage`. */
export const UsageResponseSchema = z.object({
  type: z.literal('usage'),
  feature: z.string(),
  /** The range, aligned down to whole steps, ms since the epoch; `to` exclusive. */
  from: z.number().int(),
  to: z.number().int(),
  step: z.number().int().positive(),
  series: z.array(UsageSeriesSchema),
  /**
   * Over every series: the peak of the sum of the servers' bucket peaks (the servers of a
   * feature are pooled licenses), time at 100% and denials summed.
   */
  summary: UsageSummarySchema,
});

export type UsageBucket = z.infer<typeof UsageBucketSchema>;
export type UsagePeak = z.infer<typeof UsagePeakSchema>;
export type UsageSummary = z.infer<typeof UsageSummarySchema>;
export type UsageSeries = z.infer<typeof UsageSeriesSchema>;
export type UsageResponse = z.infer<typeof UsageResponseSchema>;
