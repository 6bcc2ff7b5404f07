// Whether a soak series trends up: the least-squares line through its samples after warm-up, and
// the rise that line makes across the measured window, against a stated bound. The bound is the
// larger of an absolute floor (what noise alone can do: a GC that happened to run late, a busy
// machine) and a share of the series' mean, so one rule fits a 2-minute profile and a 2-hour run.

export interface Bound {
  /** Rise across the window always allowed, in the series' unit. */
  readonly floor: number;
  /** Rise allowed as a share of the series' mean (0.1 = 10 %). */
  readonly share: number;
}

export interface Trend {
  /** Least-squares slope, in the series' unit per hour. */
  readonly slopePerHour: number;
  /** The fitted line's rise from the first to the last sample. */
  readonly rise: number;
  /** The rise the bound allows for this series. */
  readonly allowed: number;
  readonly mean: number;
  readonly first: number;
  readonly last: number;
  readonly ok: boolean;
}

/** Least-squares slope of `ys` over `xs` (0 with fewer than two distinct xs). */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The trend of samples taken at `minutes` (since the start), judged against `bound`. */
export function trendOf(minutes: readonly number[], values: readonly number[], bound: Bound): Trend {
  const slopePerMinute = leastSquaresSlope(minutes, values);
  const window = minutes.length > 1 ? minutes[minutes.length - 1]! - minutes[0]! : 0;
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const rise = slopePerMinute * window;
  const allowed = Math.max(bound.floor, bound.share * Math.abs(mean));
  return { slopePerHour: slopePerMinute * 60, rise, allowed, mean, first: values[0] ?? 0, last: values[values.length - 1] ?? 0, ok: rise <= allowed };
}
