// The soak's short profile (issue 13 §3: at most 2 minutes in npm test): the same run as
// `npm run soak`, scaled down — streams trimmed from the first half minute, a sample every 10 s —
// so the soak itself cannot rot, and a leak fast enough to show in a minute and a half fails here.
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../bench/cleanup.ts';
import { runSoak } from '../../bench/soak/soak.ts';

describe('soak (short profile)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.stopAll());

  it('runs gateways, a collector and churning clients with nothing trending up, nothing out of order and no unasked error', async () => {
    const log: string[] = [];
    const report = await runSoak(
      { minutes: 1.5, warmupMinutes: 0.5, sampleSeconds: 10, gateways: 2, clients: 60, actEverySeconds: 5, simRate: 30, historyLength: 300 },
      cleanup,
      (line) => log.push(line),
    );
    const context = `\n${log.join('\n')}\n${JSON.stringify(report.tally)}`;
    expect(report.failures, context).toEqual([]);
    expect(report.samples.length, context).toBeGreaterThanOrEqual(8);
    // Every series was judged, on the samples after warm-up.
    expect(report.verdicts.map((v) => v.name)).toEqual(expect.arrayContaining(['gateway 1 RSS', 'gateway 2 heap', 'collector event-loop p99', 'Redis memory', 'stream entries', 'Redis keys']));
    for (const sample of report.samples) {
      expect(sample.gateways.every((g) => g.heapUsedBytes > 0 && g.rssBytes > g.heapUsedBytes)).toBe(true);
      expect(sample.redis.streams).toBeGreaterThan(0);
    }
    // The clients churned: reconnects that resumed, filter and interval changes, frames throughout.
    const t = report.tally;
    expect(t.connects, context).toBeGreaterThan(60);
    expect(t.resumes, context).toBeGreaterThan(0);
    expect(t.filterChanges, context).toBeGreaterThan(0);
    expect(t.intervalChanges, context).toBeGreaterThan(0);
    expect(t.frames, context).toBeGreaterThan(1000);
    // History is trimmed as it runs: the streams stay near 3 × 300 entries (Redis trims whole blocks).
    expect(report.samples.at(-1)!.redis.streamEntries, context).toBeLessThan(3 * 300 * 2);
  }, 180_000);
});
