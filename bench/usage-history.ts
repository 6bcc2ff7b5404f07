// `npm run bench:usage`: the cost of usage history, on a private redis-server and a real gateway.
// - Read cost stays flat: a 24 h GET /api/usage of one feature, with 500 features × 7 days
//   stored, against the same query with one feature × 1 day stored (the baseline, same run).
//   Target: < 100 ms (median) at 500 × 7 d.
// - Memory: MEMORY USAGE of a feature's keys per day of history (the figure in the README).
// The last hour of every feature goes through the collectors' real path (record-usage.lua, two
// polls a minute); older hours are written straight into the same hash layout (HSET of the
// packed points), which is what the script leaves there, so seeding 7 days takes seconds.
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { HOUR_MS, RedisBus } from '../shared/bus/index.ts';
import { startGateway } from '../test/support/processes.ts';
import { RedisServer } from '../test/support/redis-server.ts';

const { values } = parseArgs({ options: { features: { type: 'string', default: '500' }, days: { type: 'string', default: '7' }, queries: { type: 'string', default: '40' } } });
const FEATURES = Number(values.features);
const DAYS = Number(values.days);
const QUERIES = Number(values.queries);
const KEY = 'bench-usage';
const SITE = 'berlin';
const SERVER = 'lic-01';
const feature = (i: number) => `FEATURE_${String(i).padStart(4, '0')}`;

/** A day-shaped curve of 0..50 used of 50 issued, two polls a minute (the packed point record-usage.lua writes). */
function packedMinute(t: number, i: number): string {
  const used = Math.round(25 + 25 * Math.sin((t / 86_400_000) * 2 * Math.PI + i));
  const other = Math.max(0, used - 1);
  return [50, other, used, used + other, 2, used >= 50 ? 1 : 0, used >= 50 ? 3 : 0, 0].join(',');
}

async function seed(redisUrl: string, prefix: string, features: number, days: number): Promise<void> {
  const bus = await new RedisBus({ url: redisUrl, prefix, usageRetentionMs: days * 86_400_000 }).connect();
  const redis = new Redis(redisUrl);
  const now = Date.now();
  const currentHour = Math.floor(now / HOUR_MS);
  await redis.sadd(bus.keys.sites(), SITE);
  try {
    for (let hour = currentHour - days * 24 + 1; hour < currentHour; hour++) {
      const pipeline = redis.pipeline();
      for (let i = 0; i < features; i++) {
        const fields: string[] = [];
        for (let m = 0; m < 60; m++) fields.push(String(m), packedMinute(hour * HOUR_MS + m * 60_000, i));
        const key = bus.keys.usageHour(SITE, SERVER, feature(i), hour);
        pipeline.hset(key, ...fields).pexpire(key, days * 86_400_000);
      }
      await pipeline.exec();
    }
    // The current hour through the script, as collectors write it.
    for (let t = currentHour * HOUR_MS; t <= now; t += 30_000) {
      const entries = Array.from({ length: features }, (_, i) => ({ feature: feature(i), sample: { issued: 50, used: Number(packedMinute(t, i).split(',')[2]), queued: 0 } }));
      await bus.usage.record(SITE, SERVER, t, entries);
    }
  } finally {
    redis.disconnect();
    await bus.close();
  }
}

interface Timing {
  median: number;
  p95: number;
  bytes: number;
}

/** QUERIES queries on each gateway, alternating, so both see the same load on this shared machine. */
async function timeQueries(big: string, small: string, features: number): Promise<[Timing, Timing]> {
  const times: [number[], number[]] = [[], []];
  const bytes = [0, 0];
  for (let q = 0; q < QUERIES; q++) {
    for (const [side, url, f] of [[0, big, feature(q % features)], [1, small, feature(0)]] as const) {
      const started = performance.now();
      const res = await fetch(`${url}/api/usage?feature=${f}`, { headers: { authorization: `Bearer ${KEY}` } });
      const body = await res.text();
      times[side].push(performance.now() - started);
      if (res.status !== 200) throw new Error(`GET /api/usage answered ${res.status}: ${body}`);
      bytes[side] = body.length;
    }
  }
  const timing = (xs: number[], size: number): Timing => {
    xs.sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)]!, p95: xs[Math.floor(xs.length * 0.95)]!, bytes: size };
  };
  return [timing(times[0], bytes[0]!), timing(times[1], bytes[1]!)];
}

async function bytesPerFeatureDay(redisUrl: string, prefix: string, days: number): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:{${SITE}}:usage*${encodeURIComponent(feature(1))}*`);
    let total = 0;
    for (const key of keys) total += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
    return total / days;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  try {
    const seeded = performance.now();
    await seed(redis.url, 'big', FEATURES, DAYS);
    await seed(redis.url, 'small', 1, 1);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const big = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'big', API_KEYS: KEY });
    const small = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'small', API_KEYS: KEY });
    try {
      await timeQueries(big.httpUrl, small.httpUrl, FEATURES); // warm-up: JIT, connections
      const [atScale, baseline] = await timeQueries(big.httpUrl, small.httpUrl, FEATURES);
      const perFeatureDay = await bytesPerFeatureDay(redis.url, 'big', DAYS);
      const info = new Redis(redis.url);
      const usedMemory = Number(/used_memory:(\d+)/.exec(await info.info('memory').finally(() => info.disconnect()))?.[1]);
      const ms = (n: number) => `${n.toFixed(1)} ms`;
      process.stdout.write([
        `Usage history bench (${new Date().toISOString().slice(0, 16)} UTC, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}; seeded in ${seedSeconds.toFixed(1)} s)`,
        `24 h query, ${FEATURES} features × ${DAYS} d stored: median ${ms(atScale.median)}, p95 ${ms(atScale.p95)} (${(atScale.bytes / 1024).toFixed(0)} KB answer) — target < 100 ms: ${atScale.median < 100 ? 'met' : 'NOT met'}`,
        `24 h query, 1 feature × 1 d stored (baseline): median ${ms(baseline.median)}, p95 ${ms(baseline.p95)}`,
        `flat: ${(atScale.median / baseline.median).toFixed(2)}× the baseline`,
        `Redis memory per feature-day (one server, 1-minute points): ${(perFeatureDay / 1024).toFixed(1)} KB (MEMORY USAGE); whole Redis: ${(usedMemory / 1024 / 1024).toFixed(0)} MB`,
        '',
      ].join('\n'));
    } finally {
      await Promise.all([big.kill(), small.kill()]);
    }
  } finally {
    await redis.dispose();
  }
}

await main();
