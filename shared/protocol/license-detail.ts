// What collectors add to the spec's metrics message: a license server's status, triad hosts,
// vendor daemons and per-feature counts; the per-site and farm roll-ups' server counts; the
// license servers a host runs. Every field is optional on the message (a publisher that sends
// only the spec's blocks stays valid), and every object passes unknown fields through, so a newer
// collector may add fields without breaking older readers. A field of one of these names must
// have this shape, though: that is what lets dashboards read it.
import { z } from 'zod';

export const UpDownSchema = z.enum(['up', 'down']);

const count = () => z.number().int().nonnegative();

/** One feature of a license server, or a feature summed over the servers of a site or farm. */
export const FeatureDetailSchema = z.looseObject({
  name: z.string().min(1),
  /** lmstat names a feature's vendor only in its checkout lines: null while nobody uses it. */
  vendor: z.string().nullable(),
  /** Absent in roll-ups: the servers summed may serve different versions. */
  version: z.string().nullable().optional(),
  /** null: uncounted (node-locked) — no count to compare with. */
  issued: count().nullable(),
  used: count(),
  queued: count(),
  reserved: count(),
  /** issued − used (negative when overdrawn); null when uncounted. */
  available: z.number().int().nullable(),
  /** Percent with one decimal; null when uncounted. */
  utilization: z.number().nullable(),
  /** ISO date (`YYYY-MM-DD`); null never expires; absent: not known. */
  expiry: z.iso.date().nullable().optional(),
  /** Why the tool could not report this feature (e.g. `unsupported by licensed server`). */
  error: z.string().optional(),
  /** Roll-ups only: how many answering servers serve this feature. */
  servers: z.number().int().positive().optional(),
});

/** One license server host: the RLM server, or one of a FlexLM triad (the master says so). */
export const ServerHostSchema = z.looseObject({
  host: z.string().min(1),
  port: z.number().int().nullable(),
  status: UpDownSchema,
  /** FlexLM: this host is the triad's master. Always false for RLM. */
  master: z.boolean(),
  /** Why the host is down, as the tool printed it. */
  error: z.string().optional(),
});

/** A FlexLM vendor daemon, or an RLM ISV server. */
export const VendorDaemonSchema = z.looseObject({
  name: z.string().min(1),
  status: UpDownSchema,
  version: z.string().nullable(),
  error: z.string().optional(),
});

/** How a roll-up's servers stand. */
export const ServerCountsSchema = z.looseObject({
  total: count(),
  up: count(),
  down: count(),
  /** No successful poll lately (or never): neither up nor down is known. */
  stale: count(),
});

/** How the poll that produced a license server's snapshot went. */
export const PollDetailSchema = z.looseObject({
  durationMs: z.number().nonnegative(),
  /** Lines of the tool's output no parser recognised (the collector logs each once). */
  unparsedLines: count(),
});

/** The optional fields a metrics message may carry beyond the spec's blocks. */
export const metricsDetailFields = {
  /** License server snapshots: the server's id in the farm (also its `source`). */
  server: z.string().min(1).optional(),
  kind: z.enum(['flexlm', 'rlm']).optional(),
  /** `port@host`, or a FlexLM triad's three, comma-separated. */
  address: z.string().optional(),
  /** Whether the license server answered the poll; a down server has no licenses or features. */
  status: UpDownSchema.optional(),
  /** Why the poll got no status. */
  error: z.string().optional(),
  features: z.array(FeatureDetailSchema).optional(),
  hosts: z.array(ServerHostSchema).optional(),
  vendors: z.array(VendorDaemonSchema).optional(),
  poll: PollDetailSchema.optional(),
  /** Roll-ups: `site` (source `site:<name>`) or `farm` (source `farm`). */
  scope: z.enum(['site', 'farm']).optional(),
  /** Farm roll-up: how many sites the farm has. */
  sites: count().optional(),
  /** Host metrics (source `host:<name>`): the host's name. */
  host: z.string().min(1).optional(),
  /** Roll-ups: their servers' counts. Host metrics: the ids of the license servers the host runs. */
  servers: z.union([ServerCountsSchema, z.array(z.string().min(1))]).optional(),
};

export type UpDown = z.infer<typeof UpDownSchema>;
export type FeatureDetail = z.infer<typeof FeatureDetailSchema>;
export type ServerHost = z.infer<typeof ServerHostSchema>;
export type VendorDaemon = z.infer<typeof VendorDaemonSchema>;
export type ServerCounts = z.infer<typeof ServerCountsSchema>;
export type PollDetail = z.infer<typeof PollDetailSchema>;
