// Usage history (issue 14 §2) on real Redis: the collectors' recorder merges polls and denials
// into minute points atomically, the Redis and memory stores agree, keys expire after the
// retention, and a gateway process answers GET /api/usage with the right buckets and figures,
// authenticated and scoped like the upgrade.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UsageRecorder } from '../../collector/history/usage-recorder.ts';
import { MemoryUsageStore, RedisBus, type UsageStore } from '../../shared/bus/index.ts';
import { createLogger } from '../../shared/logger.ts';
import type { MetricsMessage, StreamMessage, UsageResponse } from '../../shared/protocol/index.ts';
import { createKey, runLicmon } from '../support/licmon-cli.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';

const KEY = 'usage-test-key';
const HOUR = 3_600_000;
/** An hour that ended a while ago, whole: the seeded history. */
const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const logger = createLogger('usage-test');
logger.level = 'silent';

function snapshot(at: number, server: string, used: number, issued: number | null = 10, site = 'berlin'): MetricsMessage {
  return {
    type: 'metrics', timestamp: new Date(at).toISOString(), site, source: server, server,
    features: [{ name: 'Spectre_XPS', vendor: 'cdslmd', issued, used, queued: used >= (issued ?? Infinity) ? 2 : 0, reserved: 0, available: issued === null ? null : issued - used, utilization: null }],
  };
}
const denial = (at: number, server: string): StreamMessage => ({
  type: 'log', timestamp: new Date(at).toISOString(), level: 'warn', message: 'DENIED', source: 'license-server', site: 'berlin',
  metadata: { server, event: 'denied', feature: 'Spectre_XPS' },
});

/** An hour on lic-01: used = minute % 11 (10 of 10 at minutes 10, 21, 32, 43, 54), two polls a minute; 3 denials at minute 21. */
async function seedHour(store: UsageStore): Promise<void> {
  const recorder = new UsageRecorder(store, logger);
  for (let m = 0; m < 60; m++) {
    await recorder.observe(snapshot(start + m * 60_000, 'lic-01', m % 11));
    await recorder.observe(snapshot(start + m * 60_000 + 30_000, 'lic-01', Math.max(0, (m % 11) - 1)));
  }
  for (let i = 0; i < 3; i++) await recorder.observe(denial(start + 21 * 60_000 + i * 1000, 'lic-01'));
  await recorder.observe(snapshot(start + 5 * 60_000, 'lic-02', 4, 6));
  expect(recorder.failed).toBe(0);
}

describe('usage history', () => {
  const prefix = randomPrefix();
  let bus: RedisBus;
  let gateway: RunningGateway;

  beforeAll(async () => {
    bus = await new RedisBus({ url: inject('redisUrl'), prefix, usageRetentionMs: 2 * 86_400_000 }).connect();
    await bus.publish(snapshot(Date.now(), 'lic-01', 1)); // announces the site, as a collector's first poll does
    await seedHour(bus.usage);
    gateway = await startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: KEY });
  });

  afterAll(async () => {
    await gateway?.kill();
    await bus?.close();
  });

  it('merges two polls and the denials of a minute into one point, the same in Redis and in memory', async () => {
    const range = { feature: 'Spectre_XPS', sites: ['berlin'], servers: null, from: start, to: start + HOUR };
    const memory = new MemoryUsageStore(2 * 86_400_000);
    await seedHour(memory);
    const [fromRedis, fromMemory] = [await bus.usage.read(range), await memory.read(range)];
    expect(fromRedis).toEqual(fromMemory);
    expect(fromRedis.map((s) => s.server)).toEqual(['lic-01', 'lic-02']);
    expect(fromRedis[0]!.points).toHaveLength(60);
    expect(fromRedis[0]!.points[21]).toEqual({ t: start + 21 * 60_000, issued: 10, min: 9, max: 10, sum: 19, samples: 2, full: 1, queued: 2, denials: 3 });
  });

  it('keeps each hour for the retention, and no longer', async () => {
    const redis = new Redis(inject('redisUrl'));
    const ttl = await redis.pttl(bus.keys.usageHour('berlin', 'lic-01', 'Spectre_XPS', start / HOUR)).finally(() => redis.disconnect());
    expect(ttl).toBeGreaterThan(86_400_000);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
  });

  const get = (query: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
    fetch(`${gateway.httpUrl}/api/usage?${query}`, { headers });

  it('answers buckets with min/max/avg, and the peak, time at 100% and denials of the range', async () => {
    const res = await get(`feature=Spectre_XPS&from=${start}&to=${start + HOUR}&step=15m`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as UsageResponse;
    expect(body).toMatchObject({ type: 'usage', feature: 'Spectre_XPS', from: start, to: start + HOUR, step: 15 * 60_000 });
    const lic01 = body.series.find((s) => s.server === 'lic-01')!;
    expect(lic01.buckets.map((b) => b.t)).toEqual([0, 1, 2, 3].map((i) => start + i * 15 * 60_000));
    // Minutes 15-29: used m % 11 = 4..10, 0..7, and one less on the second poll.
    expect(lic01.buckets[1]).toMatchObject({ issued: 10, min: 0, max: 10, queued: 2, denials: 3, fullMs: 30_000 });
    // Five minutes at 10 of 10, each half of its polls: 2.5 min at 100%.
    expect(lic01.summary).toMatchObject({ peak: { used: 10, at: start + 10 * 60_000, issued: 10 }, fullMs: 150_000, denials: 3 });
    // Pooled: lic-02's 4 at minute 5 with lic-01's 5 is 9; minute 10's 10 is the peak.
    expect(body.summary).toMatchObject({ peak: { used: 10, at: start + 10 * 60_000 }, denials: 3 });
    // The default: the last 24 h, about 360 buckets of whole minutes.
    const byDefault = (await (await get('feature=Spectre_XPS', { 'x-api-key': KEY })).json()) as UsageResponse;
    expect(byDefault.step).toBe(4 * 60_000);
    expect(byDefault.series.find((s) => s.server === 'lic-01')!.summary.denials).toBe(3);
  });

  it('refuses what is wrong with a clear error', async () => {
    const expectError = async (res: Response, status: number, code: string, says: RegExp) => {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ type: 'error', code, message: expect.stringMatching(says) });
    };
    await expectError(await get('feature=Spectre_XPS', {}), 401, 'UNAUTHORIZED', /API key/);
    await expectError(await get(`feature=Spectre_XPS&api_key=${KEY}`, {}), 400, 'INVALID_QUERY', /header/);
    await expectError(await get(''), 400, 'INVALID_QUERY', /feature/);
    await expectError(await get('feature=X&step=90s'), 400, 'INVALID_QUERY', /whole number of minutes/);
    await expectError(await get('feature=X&from=yesterday'), 400, 'INVALID_QUERY', /not a time/);
    await expectError(await get('feature=X&from=0&step=1m'), 400, 'INVALID_QUERY', /at most 2000/);
    await expectError(await get('feature=X&colour=red'), 400, 'INVALID_QUERY', /unknown parameter colour/);
  });

  it('scopes by the key: its sites only, and the metrics or combined endpoint', async () => {
    const env = { REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix };
    const pune = await createKey(['--name', 'pune-only', '--sites', 'pune'], env);
    const logsOnly = await createKey(['--name', 'logs-only', '--endpoints', 'logs'], env);
    const asPune = (await (await get('feature=Spectre_XPS', { authorization: `Bearer ${pune}` })).json()) as UsageResponse;
    expect(asPune.series).toEqual([]);
    expect((await get('feature=Spectre_XPS&site=berlin', { authorization: `Bearer ${pune}` })).status).toBe(403);
    expect((await get('feature=Spectre_XPS', { authorization: `Bearer ${logsOnly}` })).status).toBe(403);
  });

  it('licmon usage prints peak, average, time at 100% and denials per server (through the SDK\'s fetchUsage)', async () => {
    const env = { LICMON_URL: gateway.wsUrl, LICMON_API_KEY: KEY };
    const table = await runLicmon(['usage', 'Spectre_XPS', '--site', 'berlin', '--since', '6h'], env);
    expect(table.code).toBe(0);
    const row = table.stdout.split('\n').find((line) => line.includes('lic-01'));
    expect(row).toMatch(/^berlin\s+lic-01\s+10 of 10\s+\S+ \S+\s+[\d.]+\s+2m\s+3$/);
    expect(table.stdout).toContain(new Date(start + 10 * 60_000).toISOString().slice(0, 16).replace('T', ' '));
    const json = await runLicmon(['usage', 'Spectre_XPS', '--json'], env);
    expect((JSON.parse(json.stdout) as UsageResponse).series.map((s) => s.server)).toEqual(['lic-01', 'lic-02']);
    const badSince = await runLicmon(['usage', 'Spectre_XPS', '--since', 'yesterday'], env);
    expect([badSince.code, badSince.stderr]).toEqual([2, expect.stringMatching(/--since: "yesterday" is not a duration/)]);
    const refused = await runLicmon(['usage', 'Spectre_XPS'], { ...env, LICMON_API_KEY: 'wrong' });
    expect([refused.code, refused.stderr]).toEqual([3, expect.stringMatching(/UNAUTHORIZED/)]);
  });
});
