// The `alerts:` section of the farm configuration: which rules run and their thresholds. Every
// rule is on by default with the values below, so an empty section is a sensible setup.
import { z } from 'zod';
import { LevelSchema } from '../../shared/protocol/index.ts';
import { duration } from './duration.ts';

const percent = z.number({ error: 'must be a percentage' }).min(0).max(1000);

/** Fire at or above `fireAt`, clear only below `clearBelow`: a value hovering at the line does not flap. */
const hysteresis = <F extends number, C extends number>(fireAt: F, clearBelow: C) => ({
  fireAt: percent.default(fireAt),
  clearBelow: percent.default(clearBelow),
});

const clearsBelowFire = (t: { fireAt: number; clearBelow: number }) => t.clearBelow <= t.fireAt;
const clearsBelowFireMessage = { message: 'clearBelow must not be above fireAt', path: ['clearBelow'] };

const rule = <T extends z.ZodRawShape>(shape: T, level: z.infer<typeof LevelSchema>) =>
  z.strictObject({ enabled: z.boolean().default(true), level: LevelSchema.default(level), ...shape });

const ThresholdSchema = z.strictObject(hysteresis(90, 80)).refine(clearsBelowFire, clearsBelowFireMessage);

export const AlertRulesSchema = z.strictObject({
  /** A feature's used / issued at or above a percentage (per feature overrides by name). */
  featureUtilization: rule({ ...hysteresis(90, 80), features: z.record(z.string().min(1), ThresholdSchema).default({}) }, 'warn')
    .refine(clearsBelowFire, clearsBelowFireMessage)
    .prefault({}),
  /** The whole farm's used / issued (counted licenses of every server that answers). */
  farmUtilization: rule(hysteresis(85, 75), 'warn').refine(clearsBelowFire, clearsBelowFireMessage).prefault({}),
  /** Every license of a feature in use, or users queued for it; clears below `clearBelow` % with nobody queued. */
  saturation: rule({ clearBelow: percent.max(100).default(95) }, 'warn').prefault({}),
  /** At least `count` denials of one feature within `window` (from the debug log). */
  denialBurst: rule({ count: z.number().int().min(1).default(5), window: duration(1000, 86_400_000).default(300_000) }, 'warn').prefault({}),
  /** No license server of the address answers. */
  serverDown: rule({}, 'critical').prefault({}),
  /** A vendor daemon (FlexLM) or ISV server (RLM) is down while its license server is up. */
  vendorDown: rule({}, 'error').prefault({}),
  /** One server of a FlexLM triad is down (the other two still serve). */
  triadMemberDown: rule({}, 'warn').prefault({}),
  /** A FlexLM triad has fewer than two of its three servers up: it serves no licenses. */
  quorumLost: rule({}, 'critical').prefault({}),
  /** A feature expires within so many days; each stage is an alert of its own. */
  expiry: rule(
    {
      stages: z
        .array(z.strictObject({ days: z.number().int().min(0).max(3650), level: LevelSchema }))
        .min(1)
        .default([
          { days: 90, level: 'info' },
          { days: 30, level: 'warn' },
          { days: 7, level: 'critical' },
        ]),
    },
    'warn',
  ).prefault({}),
  /** A server not polled successfully for `intervals` of its poll intervals. */
  staleData: rule({ intervals: z.number().int().min(2).max(1000).default(3) }, 'error').prefault({}),
  /** The collector failed to run or read a server's status tool `failures` times in a row. */
  collectorFailure: rule({ failures: z.number().int().min(1).max(1000).default(3) }, 'error').prefault({}),
});

export type AlertRules = z.infer<typeof AlertRulesSchema>;
export type Threshold = { fireAt: number; clearBelow: number };
