// Where a system under test gets its messages: the Redis-backed systems from a publisher that
// publishes as collectors do (redis-publisher.ts); the ceiling app generates its own frames and
// is only told the rate (ceiling-control.ts).

export interface MessageSource {
  /** Publish log messages at `perSecond` from now on; 0 stops. */
  setRate(perSecond: number): Promise<void>;
  /** Publish exactly `count` log messages at `perSecond`; resolves once all are out. */
  sendCount(count: number, perSecond: number): Promise<void>;
  /** Publish metrics snapshots at `perSecond` (0 stops); only systems with a metrics stream. */
  setMetricsRate(perSecond: number): Promise<void>;
  /** Log messages published since the source was created. */
  published(): Promise<number>;
  close(): Promise<void>;
}
