// Metrics intervals: connections on the metrics stream, each `configure`d with one of several
// intervals, while a collector publishes snapshots. How much CPU the server spends per second on
// it, and whether every connection gets its snapshots at the interval it asked for.
import { totals } from '../load/generator.ts';
import type { MetricsProfile } from '../profiles.ts';
import { CpuMeter } from '../proc-stats.ts';
import { sleep } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface IntervalResult {
  readonly interval: number;
  readonly conns: number;
  /** Connections whose mean interval over the window was within tolerance. */
  readonly honoured: number;
  readonly meanMs: number;
  /** The mean interval furthest from what was asked, of any connection in this group. */
  readonly worstMs: number;
}

export interface MetricsResult {
  readonly conns: number;
  readonly opened: number;
  readonly tolerance: number;
  /** Cores busy in the server process over the window (CPU seconds per second). */
  readonly serverCpu: number;
  readonly framesPerSecond: number;
  readonly intervals: readonly IntervalResult[];
  readonly honoured: number;
}

export async function runMetricsIntervals(ctx: ScenarioContext, p: MetricsProfile): Promise<MetricsResult> {
  const { system, generator, log } = ctx;
  await ctx.quiet();
  await system.source.setMetricsRate(p.publishRate);
  const perGroup = Math.floor(p.conns / p.intervals.length);
  const groups = p.intervals.map((interval) => ({ name: String(interval), count: perGroup, setup: system.setupFrames({ interval }) }));
  const opening = await generator.open(system.target('metrics'), groups, { timeArrivals: true });
  if (opening.opened === 0) throw new Error(`no connection opened: ${opening.errors.join('; ')}`);
  // Let every connection settle into its interval (the first snapshot may come at configure time).
  await sleep(Math.max(...p.intervals) + 300);
  await generator.reset();
  const cpu = new CpuMeter(system.serverPids);
  const started = performance.now();
  await sleep(p.windowMs);
  const stats = await generator.stats(true);
  const seconds = (performance.now() - started) / 1000;
  const serverCpu = cpu.read();
  await system.source.setMetricsRate(0);
  await generator.closeAll();

  const intervals = p.intervals.map((interval): IntervalResult => {
    const means = stats.intervals?.[String(interval)] ?? [];
    const conns = stats.groups[String(interval)]?.conns ?? 0;
    const honoured = means.filter((m) => Math.abs(m - interval) <= p.tolerance * interval).length;
    const worstMs = means.reduce((w, m) => (Math.abs(m - interval) > Math.abs(w - interval) ? m : w), interval);
    const meanMs = means.length ? means.reduce((a, b) => a + b, 0) / means.length : Number.NaN;
    return { interval, conns, honoured, meanMs, worstMs: means.length ? worstMs : Number.NaN };
  });
  const honoured = intervals.reduce((sum, r) => sum + r.honoured, 0);
  const framesPerSecond = totals(stats).frames / seconds;
  log(`  ${honoured}/${opening.opened} connections within ±${p.tolerance * 100}% of their interval; server ${serverCpu.toFixed(3)} cores; ${framesPerSecond.toFixed(0)} frames/s`);
  return { conns: p.conns, opened: opening.opened, tolerance: p.tolerance, serverCpu, framesPerSecond, intervals, honoured };
}
