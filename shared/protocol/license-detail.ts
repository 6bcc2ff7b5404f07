// What collectors add to the spec's metrics message: a license server's status, triad hosts,
// vendor daemons and per-feature counts; the per-site and farm roll-ups' server counts; the
// license servers a host runs. Every field is optional on the message (a publisher that sends
// only the spec's blocks stays valid), and every object passes unknown fields through, so a newer
// collector may add fields without breaking older readers. A field of one of these names must
// have this shape, though: that is what lets dashboards read it.
import { z } from 'zod';

export const UpDownSchema = z.enum(['up', 'down']);

const count = () => z.number().int().nonnegative();

/**
 * Someone holding licenses of a feature now. Server snapshots only (roll-ups carry none), bounded
 * per feature (farm option `defaults.holdersPerFeature`); `privacy.users` applies to `user`.
 */
export const HolderSchema = z.looseObject({
  /** The user name; a stable pseudonym under `privacy.users: hashed`; null under `hidden`. */
  user: z.string().nullable(),
  host: z.string(),
  /** X display, tty or console name, as the tool printed it; empty when it shows none. */
  display: z.string(),
  version: z.string().nullable(),
  count: z.number().int().positive(),
  /** When the checkout started: ISO 8601 with the server's UTC offset; null when the tool printed no time. */
  since: z.string().nullable(),
  /** Seconds of linger the checkout carries (it stays held that long after check-in); null: none. */
  linger: z.number().int().nonnegative().nullable(),
  /**
   * Borrowed for offline use: held until it is returned or expires, whatever the host does. False
   * when the tool does not mark it: lmstat and rlmstat print a borrow as a lingering checkout.
   */
  borrowed: z.boolean(),
});

/** `N RESERVATIONs for GROUP|HOST|USER|… target`: licenses set aside by the options file. */
export const ReservationDetailSchema = z.looseObject({
  /** As the tool printed it: USER, HOST, HOST_GROUP, GROUP, DISPLAY, INTERNET, PROJECT, … */
  kind: z.string().min(1),
  /** The group, host, display, … it is reserved for; of a USER reservation a user name, so `privacy.users` applies ("" under `hidden`). */
  target: z.string(),
  count: z.number().int().positive(),
});

/** A request waiting in a feature's queue. */
export const QueuedRequestDetailSchema = z.looseObject({
  /** As a holder's: a pseudonym under `privacy.users: hashed`, null under `hidden`. */
  user: z.string().nullable(),
  host: z.string(),
  display: z.string(),
  version: z.string().nullable(),
  count: z.number().int().positive(),
});

/** One version block of a feature that the server serves in several versions. */
export const FeatureVersionSchema = z.looseObject({
  version: z.string().nullable(),
  /** null: uncounted. */
  issued: count().nullable(),
  used: count(),
  reserved: count(),
  expiry: z.iso.date().nullable().optional(),
});

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
  /** Server snapshots, when the feature comes in several version blocks: each of them (the feature's counts are their sum). */
  versions: z.array(FeatureVersionSchema).optional(),
  /** Server snapshots: who holds it now, longest-held first, at most the farm's bound. */
  holders: z.array(HolderSchema).optional(),
  /** How many holders the bound left out (absent or 0: none). */
  holdersOmitted: count().optional(),
  reservations: z.array(ReservationDetailSchema).optional(),
  queue: z.array(QueuedRequestDetailSchema).optional(),
  /** How many queued requests the bound left out. */
  queueOmitted: count().optional(),
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
export type Holder = z.infer<typeof HolderSchema>;
export type ReservationDetail = z.infer<typeof ReservationDetailSchema>;
export type QueuedRequestDetail = z.infer<typeof QueuedRequestDetailSchema>;
export type FeatureVersion = z.infer<typeof FeatureVersionSchema>;
export type ServerHost = z.infer<typeof ServerHostSchema>;
export type VendorDaemon = z.infer<typeof VendorDaemonSchema>;
export type ServerCounts = z.infer<typeof ServerCountsSchema>;
export type PollDetail = z.infer<typeof PollDetailSchema>;
