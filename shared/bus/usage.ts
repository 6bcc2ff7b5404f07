// Usage history on the bus: what collectors record each poll (issued, used, queued per feature)
// and each denial, kept as one point per minute per (site, server, feature) for a bounded time,
// and read back by gateways for GET /api/usage. Two stores, as for the bus: usage-redis.ts (a
// Lua merge, hashes per hour that expire) and usage-memory.ts (the all-in-one).
import { USAGE_POINT_MS } from '../protocol/usage.ts';

/** What one poll saw of a feature; `denials` alone (no sample) for denials from a debug log. */
export interface UsageEntry {
  readonly feature: string;
  readonly sample?: { readonly issued: number | null; readonly used: number; readonly queued: number };
  readonly denials?: number;
}

/** One minute of one (site, server, feature). */
export interface UsagePoint {
  /** Start of the minute, ms since the epoch. */
  readonly t: number;
  /** The largest issued count seen; null: uncounted (or only denials were recorded). */
  readonly issued: number | null;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  /** Polls merged into the point (0: denials only). */
  readonly samples: number;
  /** Polls that found every issued license in use. */
  readonly full: number;
  readonly queued: number;
  readonly denials: number;
}

export interface UsageRange {
  readonly feature: string;
  /** Sites to read; null: every site. */
  readonly sites: readonly string[] | null;
  /** Servers to read; null: all. */
  readonly servers: readonly string[] | null;
  /** ms since the epoch, `to` exclusive. */
  readonly from: number;
  readonly to: number;
}

/** The points of one server in a range, oldest first. */
export interface UsagePoints {
  readonly site: string;
  readonly server: string;
  readonly points: UsagePoint[];
}

export interface UsageStore {
  /** Merge what was seen at `at` (ms) on a server into its minute points, atomically. */
  record(site: string, server: string, at: number, entries: readonly UsageEntry[]): Promise<void>;
  /** Every matching server's points in the range. */
  read(range: UsageRange): Promise<UsagePoints[]>;
}

export const HOUR_MS = 3_600_000;

/** Seven days: collectors' USAGE_HISTORY_DAYS default. */
export const DEFAULT_USAGE_RETENTION_MS = 7 * 86_400_000;

/** The minute a time falls in: its start. */
export const minuteOf = (at: number): number => Math.floor(at / USAGE_POINT_MS) * USAGE_POINT_MS;

/** A point from the packed text the Lua script writes (`issued,min,max,sum,samples,full,queued,denials`). */
export function unpackPoint(t: number, packed: string): UsagePoint {
  const [issued = -1, min = 0, max = 0, sum = 0, samples = 0, full = 0, queued = 0, denials = 0] = packed.split(',').map(Number);
  return { t, issued: issued < 0 ? null : issued, min, max, sum, samples, full, queued, denials };
}

/** `point` with `entry` merged in, as the Lua script does it (usage-memory.ts). */
export function mergePoint(point: UsagePoint, entry: UsageEntry): UsagePoint {
  const s = entry.sample;
  const merged = s
    ? {
        ...point,
        issued: s.issued === null ? point.issued : Math.max(point.issued ?? -1, s.issued),
        min: point.samples === 0 ? s.used : Math.min(point.min, s.used),
        max: Math.max(point.max, s.used),
        sum: point.sum + s.used,
        samples: point.samples + 1,
        full: point.full + (s.issued !== null && s.issued > 0 && s.used >= s.issued ? 1 : 0),
        queued: Math.max(point.queued, s.queued),
      }
    : point;
  return { ...merged, denials: merged.denials + (entry.denials ?? 0) };
}

export const emptyPoint = (t: number): UsagePoint => ({ t, issued: null, min: 0, max: 0, sum: 0, samples: 0, full: 0, queued: 0, denials: 0 });
