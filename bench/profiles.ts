// How big and how long each scenario runs. `quick` (the default, about two minutes) and `full`
// (the figures of issue 6, about fifteen to twenty minutes); `smoke` is the test suite's tiny run.
import type { IngestProfile } from './scenarios/ingest.ts';

export interface FanOutProfile {
  readonly conns: number;
  /** Messages published first at a gentle rate, every delivery counted (a correctness check); a multiple of 4. */
  readonly exactMessages: number;
  /** Offered deliveries/s of the first step; each next step multiplies the publish rate by `growth`. */
  readonly startDeliveries: number;
  readonly growth: number;
  readonly maxSteps: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  /** A step is saturated when it delivers less than this share of what was offered. */
  readonly saturatedBelow: number;
  /** After publishing stops, this long without a frame means the backlog is gone. */
  readonly drainQuietMs: number;
  readonly latencyMs: number;
  /** One connection in this many samples latency. */
  readonly probeEvery: number;
}

export interface ScaleProfile {
  /** Idle connections on one server process. */
  readonly conns: number;
  /** Gateway processes and connections per process for the multi-process run (gateway only). */
  readonly multi: { readonly processes: number; readonly connsPerProcess: number };
  readonly settleMs: number;
}

export interface MetricsProfile {
  readonly conns: number;
  /** The `configure` intervals, spread evenly over the connections. */
  readonly intervals: readonly number[];
  /** Snapshots published per second (one license server). */
  readonly publishRate: number;
  readonly windowMs: number;
  /** A connection's mean interval must be within this share of what it asked for. */
  readonly tolerance: number;
}

export interface SlowProfile {
  readonly conns: number;
  /** Share of the connections that stop reading. */
  readonly slowShare: number;
  readonly windowMs: number;
  /** Publish rate when the fan-out scenario did not measure this system (else half its saturation). */
  readonly fallbackRate: number;
}

export interface ChurnProfile {
  /** Connections that join and leave, each with a filter of its own (and again with one shared filter). */
  readonly conns: number;
}

export interface Profile {
  readonly name: 'quick' | 'full' | 'smoke';
  /** Load-generator worker processes (each holds up to 15,000 connections). */
  readonly workers: number;
  /** How long the whole run may wait, in all, for other work on the machine to quiet down. */
  readonly quietBudgetMs: number;
  readonly fanOut: FanOutProfile;
  readonly scale: ScaleProfile;
  readonly metrics: MetricsProfile;
  readonly slow: SlowProfile;
  readonly churn: ChurnProfile;
  readonly ingest: IngestProfile;
}

export const QUICK: Profile = {
  name: 'quick',
  workers: 1,
  quietBudgetMs: 45_000,
  fanOut: { conns: 2000, exactMessages: 100, startDeliveries: 100_000, growth: 2, maxSteps: 8, warmupMs: 300, windowMs: 1000, saturatedBelow: 0.85, drainQuietMs: 1000, latencyMs: 3000, probeEvery: 20 },
  scale: { conns: 2000, multi: { processes: 6, connsPerProcess: 500 }, settleMs: 1000 },
  metrics: { conns: 2000, intervals: [100, 250, 500, 1000], publishRate: 20, windowMs: 3000, tolerance: 0.1 },
  slow: { conns: 2000, slowShare: 0.1, windowMs: 3000, fallbackRate: 100 },
  churn: { conns: 10_000 },
  ingest: { parserLines: 200_000, polls: 20, features: 300, checkouts: 2000, rate: 1000, warmupMs: 1000, latencyMs: 5000 },
};

export const FULL: Profile = {
  name: 'full',
  workers: 8,
  quietBudgetMs: 300_000,
  fanOut: { conns: 10_000, exactMessages: 40, startDeliveries: 100_000, growth: 1.5, maxSteps: 14, warmupMs: 1000, windowMs: 4000, saturatedBelow: 0.9, drainQuietMs: 3000, latencyMs: 10_000, probeEvery: 20 },
  scale: { conns: 19_000, multi: { processes: 6, connsPerProcess: 16_667 }, settleMs: 3000 },
  metrics: { conns: 10_000, intervals: [100, 500, 1000, 5000], publishRate: 20, windowMs: 15_000, tolerance: 0.1 },
  slow: { conns: 10_000, slowShare: 0.1, windowMs: 20_000, fallbackRate: 100 },
  churn: { conns: 10_000 },
  ingest: { parserLines: 1_000_000, polls: 50, features: 300, checkouts: 2000, rate: 1000, warmupMs: 2000, latencyMs: 20_000 },
};

export const SMOKE: Profile = {
  name: 'smoke',
  // Two workers, so the several-gateways scale run spreads its connections over both.
  workers: 2,
  quietBudgetMs: 0,
  fanOut: { conns: 21, exactMessages: 200, startDeliveries: 2000, growth: 2, maxSteps: 2, warmupMs: 100, windowMs: 300, saturatedBelow: 0.85, drainQuietMs: 300, latencyMs: 300, probeEvery: 3 },
  scale: { conns: 20, multi: { processes: 2, connsPerProcess: 10 }, settleMs: 100 },
  metrics: { conns: 20, intervals: [100, 200], publishRate: 20, windowMs: 700, tolerance: 0.5 },
  slow: { conns: 20, slowShare: 0.1, windowMs: 300, fallbackRate: 50 },
  churn: { conns: 20 },
  ingest: { parserLines: 5000, polls: 2, features: 30, checkouts: 200, rate: 200, warmupMs: 100, latencyMs: 500 },
};

export const PROFILES = { quick: QUICK, full: FULL, smoke: SMOKE } as const;
