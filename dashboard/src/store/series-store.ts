// License use over time, per feature, for every scope the metrics describe (the farm, each site,
// each server): issued, used and queued, in columns uPlot draws as they are. Each series keeps at
// most MAX_POINTS points (trimmed in chunks, so trimming is rare and cheap), however long the
// page stays open.
import type { Feature } from '../metrics-fields.ts';

export const MAX_POINTS = 900;
/** Trim only once this far over, so the arrays are spliced once per many points, not per point. */
const TRIM_SLACK = 225;

export interface FeatureSeries {
  key: string;
  readonly name: string;
  vendor: string | null;
  expiry: string | null | undefined;
  /** Seconds since the epoch (uPlot's time scale). */
  readonly times: number[];
  readonly issued: (number | null)[];
  readonly used: number[];
  readonly queued: number[];
  /** Bumped on every point: a chart redraws only when it changed. */
  version: number;
}

export class SeriesStore {
  /** Scope id (the metrics source: `farm`, `site:<name>`, a server id) → feature key → series. */
  private readonly scopes = new Map<string, Map<string, FeatureSeries>>();

  scopeIds(): string[] {
    return [...this.scopes.keys()];
  }

  features(scope: string): FeatureSeries[] {
    return [...(this.scopes.get(scope)?.values() ?? [])];
  }

  add(scope: string, timestamp: string, features: readonly Feature[]): void {
    const time = Date.parse(timestamp) / 1000;
    if (!Number.isFinite(time)) return;
    let byFeature = this.scopes.get(scope);
    if (!byFeature) this.scopes.set(scope, (byFeature = new Map()));
    for (const f of features) {
      const series = seriesOf(byFeature, f);
      // uPlot needs ascending times: a snapshot older than the last one (a replay) is skipped.
      const last = series.times.at(-1);
      if (last !== undefined && time <= last) continue;
      series.expiry = f.expiry;
      series.times.push(time);
      series.issued.push(f.issued);
      series.used.push(f.used);
      series.queued.push(f.queued);
      series.version++;
      if (series.times.length > MAX_POINTS + TRIM_SLACK) {
        const drop = series.times.length - MAX_POINTS;
        for (const column of [series.times, series.issued, series.used, series.queued]) column.splice(0, drop);
      }
    }
  }
}

const keyOf = (name: string, vendor: string | null) => `${name}\u0000${vendor ?? ''}`;

/**
 * lmstat names a feature's vendor only in its checkout lines, so a feature nobody uses comes
 * with vendor null. Such a snapshot joins the feature's series of known vendor (when the name
 * is unambiguous), and a series begun without a vendor takes it on when it appears.
 */
function seriesOf(byFeature: Map<string, FeatureSeries>, f: Feature): FeatureSeries {
  const key = keyOf(f.name, f.vendor);
  const existing = byFeature.get(key);
  if (existing) return existing;
  if (f.vendor === null) {
    const named = [...byFeature.values()].filter((s) => s.name === f.name);
    if (named.length === 1) return named[0]!;
  } else {
    const unnamed = byFeature.get(keyOf(f.name, null));
    if (unnamed) {
      byFeature.delete(unnamed.key);
      unnamed.key = key;
      unnamed.vendor = f.vendor;
      byFeature.set(key, unnamed);
      return unnamed;
    }
  }
  const series: FeatureSeries = { key, name: f.name, vendor: f.vendor, expiry: f.expiry, times: [], issued: [], used: [], queued: [], version: 0 };
  byFeature.set(key, series);
  return series;
}
