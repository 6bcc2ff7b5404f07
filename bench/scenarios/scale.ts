// Scale: idle connections (subscribed to everything, then silent) on one or several server
// processes — how long they take to be accepted, the server memory each costs, and one broadcast
// that must reach every one of them.
import { totals } from '../load/generator.ts';
import { totalRss } from '../proc-stats.ts';
import { sleep } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface ScaleResult {
  readonly processes: number;
  readonly asked: number;
  readonly opened: number;
  readonly failed: number;
  readonly errors: readonly string[];
  /** From the first connect to the last connection ready (subscribed). */
  readonly acceptMs: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly bytesPerConnection: number;
  /** One published message: how many connections got it, and how long until the last did. */
  readonly broadcast: { readonly reached: number; readonly ms: number };
}

const BROADCAST_TIMEOUT_MS = 30_000;

export async function runScale(ctx: ScenarioContext, connsPerProcess: number, settleMs: number): Promise<ScaleResult> {
  const { system, generator, log } = ctx;
  const processes = system.ports.length;
  const setup = system.setupFrames({ filter: null });
  await ctx.quiet();
  const rssBefore = totalRss(system.serverPids);
  const started = performance.now();
  const results = await Promise.all(
    system.ports.map((_, i) => generator.open(system.target('logs', i), [{ name: 'idle', count: connsPerProcess, setup }])),
  );
  const acceptMs = performance.now() - started;
  const opened = results.reduce((sum, r) => sum + r.opened, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const errors = results.flatMap((r) => r.errors).slice(0, 5);
  log(`  ${opened} connections ready on ${processes} process(es) in ${(acceptMs / 1000).toFixed(1)} s${failed ? `, ${failed} failed: ${errors.join('; ')}` : ''}`);
  await sleep(settleMs);
  const rssAfter = totalRss(system.serverPids);

  await generator.reset();
  const sent = performance.now();
  await system.source.sendCount(1, 1000);
  let reached = 0;
  while (performance.now() - sent < BROADCAST_TIMEOUT_MS) {
    reached = totals(await generator.stats()).reached;
    if (reached >= opened) break;
    await sleep(20);
  }
  const broadcastMs = performance.now() - sent;
  log(`  broadcast reached ${reached}/${opened} in ${broadcastMs.toFixed(0)} ms; RSS +${((rssAfter - rssBefore) / 1024 / 1024).toFixed(1)} MB`);
  await generator.closeAll();
  return {
    processes,
    asked: connsPerProcess * processes,
    opened,
    failed,
    errors,
    acceptMs,
    rssBefore,
    rssAfter,
    bytesPerConnection: opened > 0 ? (rssAfter - rssBefore) / opened : Number.NaN,
    broadcast: { reached, ms: broadcastMs },
  };
}
