// The benchmark harness at tiny scale (SMOKE profile: ~20 connections, a few hundred messages),
// every scenario against every system, so the bench cannot rot. It checks that the harness
// measures what it claims — exact delivery counts, a result from every system — never how fast
// anything is: the bench itself is not pass/fail.
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/cleanup.ts';
import { errorOf, runBench, SCENARIO_IDS, succeeded, type BenchResults } from '../../bench/harness.ts';
import { SMOKE } from '../../bench/profiles.ts';
import { benchmarksMarkdown } from '../../bench/report/markdown.ts';
import { scenarioTables } from '../../bench/report/tables.ts';
import { SYSTEM_IDS } from '../../bench/systems/system.ts';

describe('benchmark harness (smoke)', () => {
  // Also stops everything if the test times out (its own `finally` would never run).
  const cleanup = new Cleanup();
  afterAll(() => cleanup.stopAll());

  it('runs every scenario against every system and reports sane figures', async () => {
    const log: string[] = [];
    const results: BenchResults = await runBench({ profile: SMOKE, systems: SYSTEM_IDS, scenarios: SCENARIO_IDS, pin: false, cleanup, command: 'smoke test', log: (line) => log.push(line) });
    const context = log.join('\n');

    const fanOutConns = SMOKE.fanOut.conns;
    for (const id of SYSTEM_IDS) {
      const fanOut = succeeded(results.fanOut[id]);
      expect(fanOut, `${id} fan-out: ${errorOf(results.fanOut[id])}\n${context}`).toBeDefined();
      expect(fanOut!.opened).toBe(fanOutConns);
      expect(fanOut!.steps.length).toBeGreaterThan(0);
      expect(fanOut!.saturation.delivered).toBeGreaterThan(0);
      expect(fanOut!.latency.samples).toBeGreaterThan(0);
      expect(fanOut!.latency.p50Ms).toBeGreaterThan(0);
      expect(fanOut!.latency.p99Ms).toBeGreaterThanOrEqual(fanOut!.latency.p50Ms);

      const scale = succeeded(results.scale[id]);
      expect(scale, `${id} scale: ${errorOf(results.scale[id])}\n${context}`).toBeDefined();
      expect(scale!.opened).toBe(SMOKE.scale.conns);
      expect(scale!.broadcast.reached).toBe(scale!.opened);

      const slow = succeeded(results.slow[id]);
      expect(slow, `${id} slow consumers: ${errorOf(results.slow[id])}\n${context}`).toBeDefined();
      expect(slow!.delivered).toBeGreaterThan(0);
      expect(slow!.rssPeak).toBeGreaterThan(0);

      if (id === 'ceiling') continue; // no metrics stream
      const metrics = succeeded(results.metrics[id]);
      expect(metrics, `${id} metrics: ${errorOf(results.metrics[id])}\n${context}`).toBeDefined();
      expect(metrics!.framesPerSecond).toBeGreaterThan(0);
      expect(metrics!.intervals.map((i) => i.interval)).toEqual(SMOKE.metrics.intervals);
    }

    // The ceiling sends every message to every connection: the count must be exact.
    const ceiling = succeeded(results.fanOut.ceiling)!;
    expect(ceiling.exact.expected).toBe(SMOKE.fanOut.exactMessages * fanOutConns);
    expect(ceiling.exact.received).toBe(ceiling.exact.expected);
    // The filtered systems: a third of the connections get 4/4 of the cycle, 2/4, 1/4.
    expect(succeeded(results.fanOut.gateway)!.exact.expected).toBe((SMOKE.fanOut.exactMessages * fanOutConns * 7) / 12);

    const multi = succeeded(results.scaleMulti);
    expect(multi, `several gateways: ${errorOf(results.scaleMulti)}\n${context}`).toBeDefined();
    expect(multi!.processes).toBe(SMOKE.scale.multi.processes);
    expect(multi!.broadcast.reached).toBe(SMOKE.scale.multi.processes * SMOKE.scale.multi.connsPerProcess);

    const churn = succeeded(results.churn);
    expect(churn, `filter churn: ${errorOf(results.churn)}\n${context}`).toBeDefined();
    for (const run of [churn!.shared, churn!.distinct]) {
      expect(run.opened).toBe(SMOKE.churn.conns);
      expect(run.pings).toBeGreaterThan(0);
      expect(run.worstJoinPingMs).toBeGreaterThan(0);
    }

    // Ingest: every line written reached the client, and each figure is a real measurement.
    const ingest = succeeded(results.ingest);
    expect(ingest, `ingest: ${errorOf(results.ingest)}\n${context}`).toBeDefined();
    expect(ingest!.latency.written).toBe((SMOKE.ingest.rate * SMOKE.ingest.latencyMs) / 1000);
    expect(ingest!.latency.received).toBe(ingest!.latency.written);
    expect(ingest!.latency.p99Ms).toBeGreaterThanOrEqual(ingest!.latency.p50Ms);
    expect(ingest!.parser.linesPerSecond).toBeGreaterThan(0);
    expect(ingest!.poll.cpuMsPerPoll).toBeGreaterThan(0);
    expect(ingest!.poll.serversAt60s).toBe(Math.floor(60_000 / ingest!.poll.cpuMsPerPoll));

    expect(scenarioTables(results).map((t) => t.title)).toEqual(['Fan-out', 'Scale (idle connections)', 'Metrics intervals', 'Slow consumers', 'Filter churn', 'Ingest']);
    const markdown = benchmarksMarkdown(results);
    for (const section of ['## Headline', '## Targets (issue 6; ingest: issue 10)', '## How it was measured', '### Fan-out', '### Ingest']) expect(markdown).toContain(section);
  }, 120_000);
});
