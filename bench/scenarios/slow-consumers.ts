// Slow consumers: the fan-out groups, plus a share of unfiltered connections that stop reading.
// At half the system's saturated rate: do the readers still get everything, what happens to the
// server's memory, and what does the server do with the slow ones.
import { totals } from '../load/generator.ts';
import type { SlowProfile } from '../profiles.ts';
import { CpuMeter, totalRss } from '../proc-stats.ts';
import { sleep, waitUntilStable } from '../stats.ts';
import { FILTER_GROUPS, matchShare } from '../workload/log-mix.ts';
import { deliveriesPer } from './fan-out.ts';
import type { ScenarioContext } from './context.ts';

export interface SlowResult {
  readonly conns: number;
  readonly slow: number;
  readonly publishRate: number;
  /** Deliveries/s the readers should get, and what they got. */
  readonly expected: number;
  readonly delivered: number;
  readonly rssStart: number;
  readonly rssPeak: number;
  readonly rssEnd: number;
  readonly serverCpu: number;
  /** Slow connections the server closed (and with which codes), and readers it closed. */
  readonly slowClosed: number;
  readonly slowCloseCodes: Readonly<Record<string, number>>;
  readonly readersClosed: number;
}

const SLOW = 'slow';

export async function runSlowConsumers(ctx: ScenarioContext, p: SlowProfile, publishRate: number): Promise<SlowResult> {
  const { system, generator, log } = ctx;
  const slow = Math.max(1, Math.round(p.conns * p.slowShare));
  const perGroup = Math.floor((p.conns - slow) / FILTER_GROUPS.length);
  const readers = FILTER_GROUPS.map((g) => ({ name: g.name, count: perGroup, setup: system.setupFrames({ filter: g.filter }), share: system.filters ? matchShare(g.filter) : 1 }));
  const groups = [...readers, { name: SLOW, count: slow, setup: system.setupFrames({ filter: null }) }];
  const opening = await generator.open(system.target('logs'), groups);
  if (opening.opened === 0) throw new Error(`no connection opened: ${opening.errors.join('; ')}`);
  await generator.reading(SLOW, false);
  const readerNames = readers.map((r) => r.name);
  const perMessage = await deliveriesPer(ctx, readers);

  await ctx.quiet();
  const rssStart = totalRss(system.serverPids);
  let rssPeak = rssStart;
  await system.source.setRate(publishRate);
  await sleep(300);
  const cpu = new CpuMeter(system.serverPids);
  const [f0, m0, t0] = [totals(await generator.stats(), readerNames).frames, await system.source.published(), performance.now()];
  while (performance.now() - t0 < p.windowMs) {
    await sleep(Math.min(250, p.windowMs));
    rssPeak = Math.max(rssPeak, totalRss(system.serverPids));
  }
  const [f1, m1, t1] = [totals(await generator.stats(), readerNames).frames, await system.source.published(), performance.now()];
  const serverCpu = cpu.read();
  await system.source.setRate(0);
  const rssEnd = totalRss(system.serverPids);
  // A paused socket never notices it was closed: read again, then count who was cut off.
  await generator.reading(SLOW, true);
  await waitUntilStable(async () => totals(await generator.stats(), [SLOW]).frames, 500, 10_000);
  const stats = await generator.stats();
  await generator.closeAll();

  const seconds = (t1 - t0) / 1000;
  const slowStats = totals(stats, [SLOW]);
  const readerStats = totals(stats, readerNames);
  const result: SlowResult = {
    conns: p.conns,
    slow,
    publishRate,
    expected: ((m1 - m0) / seconds) * perMessage,
    delivered: (f1 - f0) / seconds,
    rssStart,
    rssPeak,
    rssEnd,
    serverCpu,
    slowClosed: slowStats.conns - slowStats.open,
    slowCloseCodes: slowStats.closeCodes,
    readersClosed: readerStats.conns - readerStats.open,
  };
  log(`  readers got ${result.delivered.toFixed(0)}/${result.expected.toFixed(0)} per s; RSS ${(rssStart / 2 ** 20).toFixed(0)} → peak ${(rssPeak / 2 ** 20).toFixed(0)} MB; ${result.slowClosed}/${slow} slow closed`);
  return result;
}
