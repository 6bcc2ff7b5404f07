// Whether a soak series trends up: the least-squares line through its samples after warm-up, and
// the rise that line makes across the measured window, against a stated bound. The bound is the
// larger of an absolute floor (what noise alone can do: a GC that happened to run late, a busy
// machine) and a share of the series' mean, so one rule fits a 2-minute profile and a 2-hour run.
// The line is fitted through a running median of three samples: one disturbed sample (a busy
// minute on a shared machine) is not a trend, and a real one survives the median unchanged.

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

const median3 = (a: number, b: number, c: number) => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));

/**
 * Each sample replaced by the median of it and its neighbours. An end has one neighbour, so it
 * takes Tukey's end-point rule: the median of the end, its smoothed neighbour, and the line through
 * the two smoothed samples inside it carried out to the end — a spike in the last sample goes, a
 * steady rise stays.
 */
export function runningMedian3(values: readonly number[]): number[] {
  const n = values.length;
  if (n < 3) return [...values];
  const smoothed = values.map((v, i) => (i === 0 || i === n - 1 ? v : median3(values[i - 1]!, v, values[i + 1]!)));
  if (n >= 4) {
    smoothed[0] = median3(values[0]!, smoothed[1]!, 3 * smoothed[1]! - 2 * smoothed[2]!);
    smoothed[n - 1] = median3(values[n - 1]!, smoothed[n - 2]!, 3 * smoothed[n - 2]! - 2 * smoothed[n - 3]!);
  } else {
    // Three samples: the ends against the middle one, which is all there is inside.
    smoothed[0] = median3(values[0]!, smoothed[1]!, smoothed[1]!);
    smoothed[2] = median3(values[2]!, smoothed[1]!, smoothed[1]!);
  }
  return smoothed;
}

/** The trend of samples taken at `minutes` (since the start), judged against `bound`. */
export function trendOf(minutes: readonly number[], values: readonly number[], bound: Bound): Trend {
  const slopePerMinute = leastSquaresSlope(minutes, runningMedian3(values));
  const window = minutes.length > 1 ? minutes[minutes.length - 1]! - minutes[0]! : 0;
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const rise = slopePerMinute * window;
  const allowed = Math.max(bound.floor, bound.share * Math.abs(mean));
  return { slopePerHour: slopePerMinute * 60, rise, allowed, mean, first: values[0] ?? 0, last: values[values.length - 1] ?? 0, ok: rise <= allowed };
}
