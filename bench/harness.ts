// The benchmark run: every scenario against every system, one after the other, on one machine
// with one load generator. The runner (which publishes) and its load-generator workers are pinned
// to one core, every server process and Redis to the other, so the load never competes with
// what it measures.
// Each (scenario, system) gets freshly started server processes, so no run inherits another's
// memory or backlog. A failure is recorded and the run goes on.
import { loadavg } from 'node:os';
import { RedisServer } from '../test/support/redis-server.ts';
import type { Cleanup } from './cleanup.ts';
import { LoadGenerator } from './load/generator.ts';
import type { Profile } from './profiles.ts';
import { LOAD_CORE, pinToCore, SERVER_CORE } from './proc-stats.ts';
import { NOISY_CPU, QuietWaiter } from './quiet.ts';
import { machineInfo, type MachineInfo } from './report/machine.ts';
import type { ScenarioContext } from './scenarios/context.ts';
import { disturbance, runFanOut, type FanOutResult } from './scenarios/fan-out.ts';
import { runFilterChurn, type FilterChurnResult } from './scenarios/filter-churn.ts';
import { runIngest, type IngestResult } from './scenarios/ingest.ts';
import { runMetricsIntervals, type MetricsResult } from './scenarios/metrics-intervals.ts';
import { runScale, type ScaleResult } from './scenarios/scale.ts';
import { runSlowConsumers, type SlowResult } from './scenarios/slow-consumers.ts';
import { launchSystem } from './systems/launch.ts';
import { hasMetricsStream, SYSTEM_LABELS, type SystemId } from './systems/system.ts';

export const SCENARIO_IDS = ['fan-out', 'scale', 'metrics', 'slow', 'churn', 'ingest'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** A scenario's result for one system, or why it has none. */
export type Outcome<T> = T | { readonly error: string };
/** The result, if the scenario succeeded. */
export const succeeded = <T extends object>(o: Outcome<T> | undefined): T | undefined => (o && !('error' in o) ? (o as T) : undefined);
/** The error, if the scenario failed. */
export const errorOf = <T extends object>(o: Outcome<T> | undefined): string | undefined => (o && 'error' in o ? o.error : undefined);

export interface BenchResults {
  readonly profile: Profile['name'];
  readonly command: string;
  readonly startedAt: string;
  durationSeconds: number;
  readonly machine: MachineInfo;
  readonly pinned: boolean;
  /** 1-minute load average when the run started (other work on the machine disturbs the figures). */
  readonly loadAverage: number;
  readonly systems: readonly SystemId[];
  readonly scenarios: readonly ScenarioId[];
  readonly fanOut: Partial<Record<SystemId, Outcome<FanOutResult>>>;
  readonly scale: Partial<Record<SystemId, Outcome<ScaleResult>>>;
  /** Several gateway processes on this machine, one load generator. */
  scaleMulti?: Outcome<ScaleResult>;
  readonly metrics: Partial<Record<SystemId, Outcome<MetricsResult>>>;
  readonly slow: Partial<Record<SystemId, Outcome<SlowResult>>>;
  /** Filter groups created and deleted by thousands of connections (the gateway only). */
  churn?: Outcome<FilterChurnResult>;
  /** The collector's side (this project only): debug-log line → client latency, parser, poll cost. */
  ingest?: Outcome<IngestResult>;
  /** What the servers logged at warn level or above, per (system, scenario): often why a figure is odd. */
  readonly serverWarnings: Array<{ system: SystemId; scenario: string; count: number; first: string[] }>;
  /** Where the gateway's CPU profile of the fan-out scenario was written, when asked for. */
  cpuProfileDir?: string;
}

export interface BenchOptions {
  readonly profile: Profile;
  readonly systems: readonly SystemId[];
  readonly scenarios: readonly ScenarioId[];
  /** Pin with taskset (needs two cores); the smoke test runs unpinned. */
  readonly pin: boolean;
  readonly cleanup: Cleanup;
  readonly command: string;
  /** Record a V8 CPU profile of the gateway during fan-out into this directory. */
  readonly cpuProfileDir?: string;
  readonly log: (line: string) => void;
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const { profile, cleanup, log } = options;
  const started = performance.now();
  if (options.pin) pinToCore(process.pid, LOAD_CORE);
  const results: BenchResults = {
    profile: profile.name,
    command: options.command,
    startedAt: new Date().toISOString(),
    durationSeconds: 0,
    machine: machineInfo(),
    pinned: options.pin,
    loadAverage: loadavg()[0]!,
    systems: options.systems,
    scenarios: options.scenarios,
    fanOut: {},
    scale: {},
    metrics: {},
    slow: {},
    serverWarnings: [],
  };
  const redis = await RedisServer.start();
  const redisDone = cleanup.add('redis-server', () => redis.dispose());
  // Redis is part of the system under test (the gateway's and the peers' path): it shares the
  // server core, so the load generator's core runs nothing but the load.
  if (options.pin && redis.pid) pinToCore(redis.pid, SERVER_CORE);
  const generator = await LoadGenerator.start(profile.workers, cleanup);
  const waiter = new QuietWaiter(profile.quietBudgetMs);

  /** Launch `id` afresh, run one scenario on it, stop it; a failure becomes the outcome. */
  async function attempt<T>(id: SystemId, what: string, run: (ctx: ScenarioContext) => Promise<T>, processes = 1): Promise<Outcome<T>> {
    log(`${what} · ${SYSTEM_LABELS[id]}`);
    const cpuProfileDir = id === 'gateway' && what.startsWith('fan-out') ? options.cpuProfileDir : undefined;
    let system;
    try {
      system = await launchSystem(id, { redis, cleanup, pin: options.pin, processes, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
      return await run({ system, generator, log, quiet: () => waiter.wait(log) });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log(`  failed: ${error}`);
      await generator.closeAll().catch(() => undefined);
      return { error };
    } finally {
      const warnings = system?.warnings() ?? [];
      if (warnings.length > 0) {
        log(`  the server logged ${warnings.length} warning(s); first: ${warnings[0]!.slice(0, 300)}`);
        results.serverWarnings.push({ system: id, scenario: what, count: warnings.length, first: warnings.slice(0, 5).map((w) => w.slice(0, 500)) });
      }
      await system?.stop();
    }
  }

  try {
    const want = (s: ScenarioId) => options.scenarios.includes(s);
    if (want('fan-out')) {
      for (const id of options.systems) results.fanOut[id] = await attempt(id, 'fan-out', (ctx) => runFanOut(ctx, profile.fanOut));
      // Other people's work on the machine can take a system's core mid-run: such a system is
      // measured once more at the end, and the less disturbed of its two results is kept.
      for (const id of options.systems) {
        const first = succeeded(results.fanOut[id]);
        if (!first || disturbance(first) <= NOISY_CPU || profile.quietBudgetMs === 0) continue;
        const again = succeeded(await attempt(id, `fan-out again (other work took ${disturbance(first).toFixed(2)} cores)`, (ctx) => runFanOut(ctx, profile.fanOut)));
        if (again && disturbance(again) < disturbance(first)) results.fanOut[id] = again;
      }
    }
    if (want('scale')) {
      for (const id of options.systems) results.scale[id] = await attempt(id, 'scale', (ctx) => runScale(ctx, profile.scale.conns, profile.scale.settleMs));
      if (options.systems.includes('gateway')) {
        const { processes, connsPerProcess } = profile.scale.multi;
        results.scaleMulti = await attempt('gateway', `scale ×${processes}`, (ctx) => runScale(ctx, connsPerProcess, profile.scale.settleMs), processes);
      }
    }
    if (want('metrics')) for (const id of options.systems.filter(hasMetricsStream)) results.metrics[id] = await attempt(id, 'metrics', (ctx) => runMetricsIntervals(ctx, profile.metrics));
    if (want('slow')) {
      for (const id of options.systems) {
        // Half of what this system sustained in fan-out, so healthy readers can be served.
        const rate = succeeded(results.fanOut[id])?.latency.publishRate ?? profile.slow.fallbackRate;
        results.slow[id] = await attempt(id, 'slow consumers', (ctx) => runSlowConsumers(ctx, profile.slow, rate));
      }
    }
    if (want('churn') && options.systems.includes('gateway')) results.churn = await attempt('gateway', 'filter churn', (ctx) => runFilterChurn(ctx, profile.churn.conns));
    if (want('ingest')) {
      log('ingest · this collector and gateway');
      results.ingest = await runIngest({ redis, cleanup, pin: options.pin, log, quiet: () => waiter.wait(log) }, profile.ingest).catch((err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        log(`  failed: ${error}`);
        return { error };
      });
    }
    if (options.cpuProfileDir) results.cpuProfileDir = options.cpuProfileDir;
  } finally {
    await generator.stop();
    await redis.dispose();
    redisDone();
  }
  results.durationSeconds = (performance.now() - started) / 1000;
  return results;
}
