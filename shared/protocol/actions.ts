// Client → server actions. Parsing happens in two steps so each failure maps to its own
// error code: the envelope (JSON object with a string `action`), then the action's payload.
import { z } from 'zod';
import { LEVELS, LevelSchema, SiteNameSchema } from './fields.ts';

export const ACTIONS = ['subscribe', 'filter', 'configure', 'ping'] as const;
export type ActionName = (typeof ACTIONS)[number];

export const FILTER_LIMITS = {
  maxPatternLength: 256,
  maxSources: 64,
  maxSourceLength: 256,
  maxSites: 64,
} as const;

const oneOrMany = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z.union([item, z.array(item).min(1, 'must name at least one value').max(max, `at most ${max} values`)], {
    error: `must be ${what}, or a list of 1 to ${max} of them`,
  });

/** The spec's filter, plus `site`. Unknown keys are rejected so a typo never widens a stream. */
export const FilterSchema = z.strictObject({
  level: oneOrMany(LevelSchema, 16, `one of ${LEVELS.join(', ')}`).optional(),
  source: oneOrMany(z.string().min(1).max(FILTER_LIMITS.maxSourceLength), FILTER_LIMITS.maxSources, `a source name (1-${FILTER_LIMITS.maxSourceLength} characters)`).optional(),
  pattern: z.string({ error: 'must be a string' }).max(FILTER_LIMITS.maxPatternLength, `at most ${FILTER_LIMITS.maxPatternLength} characters`).optional(),
  site: oneOrMany(SiteNameSchema, FILTER_LIMITS.maxSites, 'a site name').optional(),
});
export type Filter = z.infer<typeof FilterSchema>;

/** `null` (or an absent filter on subscribe) means everything. */
export const NullableFilterSchema = FilterSchema.nullable();

export const IntervalSchema = z
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds');

/** `since`: the last id seen in each stream, comma-separated. Validated in detail by the history layer. */
export const SinceSchema = z.string().min(1).max(8192);

/** Most log lines a client may ask for per stream (`lines`). */
export const MAX_LINES = 1000;

/** `lines`: the last N log lines per stream, from history, before the live stream (0: none). */
export const LinesSchema = z
  .number({ error: `must be a whole number from 0 to ${MAX_LINES}` })
  .int(`must be a whole number from 0 to ${MAX_LINES}`)
  .min(0, `must be a whole number from 0 to ${MAX_LINES}`)
  .max(MAX_LINES, `at most ${MAX_LINES} lines per stream`);

/** `activeAlerts`: deliver the alerts firing now (marked `"active": true`) before the live stream. */
export const ActiveAlertsSchema = z.boolean({ error: 'must be true or false' });

export const EnvelopeSchema = z.looseObject({ action: z.string() });

export const SubscribeActionSchema = z.looseObject({
  action: z.literal('subscribe'),
  filter: NullableFilterSchema.optional(),
  since: SinceSchema.optional(),
  lines: LinesSchema.optional(),
  activeAlerts: ActiveAlertsSchema.optional(),
});
export const FilterActionSchema = z.looseObject({
  action: z.literal('filter'),
  filter: NullableFilterSchema,
});
export const ConfigureActionSchema = z.looseObject({
  action: z.literal('configure'),
  interval: IntervalSchema,
});
export const PingActionSchema = z.looseObject({ action: z.literal('ping') });

export const ClientActionSchema = z.discriminatedUnion('action', [
  SubscribeActionSchema,
  FilterActionSchema,
  ConfigureActionSchema,
  PingActionSchema,
]);
export type ClientAction = z.infer<typeof ClientActionSchema>;
export type SubscribeAction = z.infer<typeof SubscribeActionSchema>;
export type ConfigureAction = z.infer<typeof ConfigureActionSchema>;
