// Filter churn (issue 11 §1): thousands of connections, each with a filter of its own, join and
// then leave one gateway, while a bystander pings it back to back. Each distinct filter is a
// filter group of its own in the hub's index; the bystander's worst round trip says whether
// creating and deleting them stalls the event loop. The baseline, in the same run, is the same
// churn with one filter shared by every connection (one group): what handshakes and closes cost
// without any index work. The gateway only: filter groups are its own design.
import { Bystander } from '../load/bystander.ts';
import { sleep } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface ChurnRun {
  readonly opened: number;
  readonly failed: number;
  /** From the first connect until every connection has its filter (its ping after subscribe answered). */
  readonly joinMs: number;
  /** From closing them all until the gateway counts none of them. */
  readonly leaveMs: number;
  /** The bystander's worst ping round trip while they joined, and while they left. */
  readonly worstJoinPingMs: number;
  readonly worstLeavePingMs: number;
  /** The same round trips in the gateway's CPU time (what it worked on before answering: see bystander.ts). */
  readonly worstJoinPingCpuMs: number;
  readonly worstLeavePingCpuMs: number;
  readonly pings: number;
}

export interface FilterChurnResult {
  readonly conns: number;
  /** Every connection a filter of its own (`source: churn-<n>`). */
  readonly distinct: ChurnRun;
  /** Every connection the same filter: the baseline. */
  readonly shared: ChurnRun;
}

const LEAVE_TIMEOUT_MS = 60_000;
/**
 * Opening and closing handshakes in flight at once: a steady stream of joins and leaves at the
 * gateway's own pace. A burst (thousands at once) would measure how many events uWS takes in one
 * turn of its loop, whatever each costs; a steady stream measures what each join and leave costs
 * the gateway, which is where a per-group rebuild of the index showed (issue 11). Leaves wait for
 * the gateway's answer like joins: closed at a fixed rate instead (128 per timer tick), they piled
 * up in its socket backlog whenever it ran slower than the load worker (a busy machine), and the
 * bystander's ping queued behind thousands of closes — a burst again (20-40 ms of gateway CPU
 * where a paced leave takes 0-20).
 */
const JOINS_IN_FLIGHT = 128;
const LEAVES_IN_FLIGHT = 128;

/** Open `conns` connections (distinct filters or one shared), then close them all, with a bystander pinging throughout. */
export async function measureChurn(ctx: ScenarioContext, conns: number, distinct: boolean): Promise<ChurnRun> {
  const { system, generator } = ctx;
  const target = system.target('logs');
  const bystander = await Bystander.open(target, system.serverPids[0]!);
  try {
    const subscribe = JSON.stringify({ action: 'subscribe', filter: { source: distinct ? 'churn-{n}' : 'churn' } });
    const opened = await generator.open(target, [{ name: 'churn', count: conns, setup: [subscribe, '{"action":"ping"}'], numbered: distinct }], { timeoutMs: 60_000, concurrency: JOINS_IN_FLIGHT });
    const join = bystander.take();
    const leaveStarted = performance.now();
    await generator.closeAll(LEAVES_IN_FLIGHT);
    await untilOnlyBystander(system.ports[0]!);
    const leaveMs = performance.now() - leaveStarted;
    const leave = bystander.take();
    return {
      opened: opened.opened,
      failed: opened.failed,
      joinMs: opened.ms,
      leaveMs,
      worstJoinPingMs: join.worstMs,
      worstLeavePingMs: leave.worstMs,
      worstJoinPingCpuMs: join.worstCpuMs,
      worstLeavePingCpuMs: leave.worstCpuMs,
      pings: join.pings + leave.pings,
    };
  } finally {
    bystander.close();
  }
}

/** Wait until the gateway counts one connection (the bystander): every churn connection has left its group. */
async function untilOnlyBystander(port: number): Promise<void> {
  const deadline = performance.now() + LEAVE_TIMEOUT_MS;
  for (;;) {
    const status = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { connections?: number };
    if (status.connections === 1) return;
    if (performance.now() > deadline) throw new Error(`the gateway still counts ${status.connections} connections ${LEAVE_TIMEOUT_MS} ms after they closed`);
    await sleep(10);
  }
}

export async function runFilterChurn(ctx: ScenarioContext, conns: number): Promise<FilterChurnResult> {
  await ctx.quiet();
  const shared = await measureChurn(ctx, conns, false);
  ctx.log(`  one shared filter: ${describe(shared)}`);
  await ctx.quiet();
  const distinct = await measureChurn(ctx, conns, true);
  ctx.log(`  ${distinct.opened} distinct filters: ${describe(distinct)}`);
  return { conns, distinct, shared };
}

function describe(r: ChurnRun): string {
  return `${r.opened} joined in ${r.joinMs.toFixed(0)} ms (worst bystander ping ${r.worstJoinPingMs.toFixed(1)} ms, ${r.worstJoinPingCpuMs.toFixed(0)} ms of gateway CPU), left in ${r.leaveMs.toFixed(0)} ms (worst ping ${r.worstLeavePingMs.toFixed(1)} ms, ${r.worstLeavePingCpuMs.toFixed(0)} ms of CPU)${r.failed ? `; ${r.failed} failed` : ''}`;
}
