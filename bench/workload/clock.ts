// The send timestamp every benchmark message carries (`metadata.bt`). It is read from the
// system-wide monotonic clock (CLOCK_MONOTONIC, what process.hrtime reads), so a timestamp taken
// in the publisher or the ceiling app can be subtracted from one taken in a load-generator worker:
// `Date.now()` is wall time (can step) and `performance.now()` counts from each process's start.

/** Microseconds on the machine's monotonic clock, as an integer. */
export function monotonicMicros(): number {
  const [s, ns] = process.hrtime();
  return s * 1_000_000 + Math.floor(ns / 1000);
}
