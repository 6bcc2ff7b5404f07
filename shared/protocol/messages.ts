// Server → client messages: the shapes of the spec, plus the alert shape, the optional
// `site`/`id` fields every stream message may carry and the collectors' optional license detail
// on metrics (license-detail.ts). Unknown extra fields pass through.
import { z } from 'zod';
import { LevelSchema, SiteNameSchema, TimestampSchema } from './fields.ts';
import { metricsDetailFields } from './license-detail.ts';

const streamFields = {
  timestamp: TimestampSchema,
  site: SiteNameSchema.optional(),
  /** Assigned by the bus when the message is published: `<stream>:<epoch>:<ms>-<seq>` (shared/bus/stream-id.ts). */
  id: z.string().optional(),
};

const logFields = {
  ...streamFields,
  level: LevelSchema,
  message: z.string(),
  source: z.string().min(1),
  metadata: z.record(z.string(), z.unknown()).optional(),
};

export const LogMessageSchema = z.looseObject({ type: z.literal('log'), ...logFields });

export const AlertMessageSchema = z.looseObject({
  type: z.literal('alert'),
  ...logFields,
  /** The rule that fired, e.g. `feature_utilization`. */
  rule: z.string().min(1),
  /** Stable per condition, for de-duplication: the same key fires and later resolves. */
  key: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  /**
   * Only on an alert a client asked for as current state (`activeAlerts`): it was firing before
   * the client asked, and this is its original firing (same id, timestamp and key), not a new one.
   */
  active: z.literal(true).optional(),
});

const usageBlock = z.looseObject({
  total: z.number().nonnegative(),
  used: z.number().nonnegative(),
  available: z.number(),
  percentage: z.number(),
});

export const SystemBlockSchema = z.looseObject({
  cpu: z.looseObject({ usage: z.number(), cores: z.number().int().nonnegative() }),
  memory: usageBlock,
  disk: usageBlock,
});

export const LicensesBlockSchema = z.looseObject({
  total: z.number().nonnegative(),
  used: z.number().nonnegative(),
  available: z.number(),
  utilization: z.number(),
});

export const ConnectionsBlockSchema = z.looseObject({
  active: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});

export const MetricsMessageSchema = z.looseObject({
  type: z.literal('metrics'),
  ...streamFields,
  /** Which license server (or host) the snapshot describes; the gateway conflates per (site, source). */
  source: z.string().min(1).optional(),
  system: SystemBlockSchema.optional(),
  licenses: LicensesBlockSchema.optional(),
  /** Filled in by the gateway at delivery: this cluster's WebSocket connections. */
  connections: ConnectionsBlockSchema.optional(),
  /** What collectors add: license server status and features, roll-ups, host identity. */
  ...metricsDetailFields,
});

export const PongMessageSchema = z.object({ type: z.literal('pong'), timestamp: TimestampSchema });

export const ErrorMessageSchema = z.looseObject({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  timestamp: TimestampSchema,
});

/** What collectors publish: the three stream kinds. */
export const StreamMessageSchema = z.discriminatedUnion('type', [
  LogMessageSchema,
  MetricsMessageSchema,
  AlertMessageSchema,
]);

export const ServerMessageSchema = z.discriminatedUnion('type', [
  LogMessageSchema,
  MetricsMessageSchema,
  AlertMessageSchema,
  PongMessageSchema,
  ErrorMessageSchema,
]);

export type LogMessage = z.infer<typeof LogMessageSchema>;
export type AlertMessage = z.infer<typeof AlertMessageSchema>;
export type MetricsMessage = z.infer<typeof MetricsMessageSchema>;
export type PongMessage = z.infer<typeof PongMessageSchema>;
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
export type StreamMessage = z.infer<typeof StreamMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type StreamKind = StreamMessage['type'];
export const STREAM_KINDS = ['log', 'metrics', 'alert'] as const satisfies readonly StreamKind[];
