// Collectors scaled out on real Redis: three collector processes share the polls of 30 license
// servers (the cheap fake lmutil; the slow one runs the Node.js fake) through BullMQ. Every server is polled once per interval — never
// twice, never missed — whichever collector runs it; a collector killed with SIGKILL mid-poll has
// its poll retried by another within seconds and every server goes on being polled; a SIGHUP
// reschedules. A client on a real gateway sees the metrics, the debug log's lines and the alerts,
// each alert said once however many collectors evaluate it.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CollectorKeys } from '../../collector/collector-keys.ts';
import { POLL_QUEUE } from '../../collector/scheduling/bull-scheduler.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { randomPrefix, startGateway, startProcess, type RunningGateway, type RunningProcess } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';
import { waitUntil } from '../support/wait-until.ts';

const redisUrl = inject('redisUrl');
const prefix = randomPrefix();
const dir = mkdtempSync(join(tmpdir(), 'licmon-scale-'));
const farmFile = join(dir, 'farm.yaml');
const debugLog = join(dir, 'adskflex.log');
const KEY = 'scale-key';
const INTERVAL_MS = 4000;
const LOCK_MS = 3000;
/** How long a killed collector's poll can wait: its lock runs out, then the stalled-job check finds it. */
const RECOVERY_MS = LOCK_MS + LOCK_MS / 2;
const SLOW = 'slow-retry';

/** 30 servers: mostly healthy, one unreachable, one with a vendor daemon down, one triad missing a member. */
const SERVERS = Array.from({ length: 30 }, (_, i) => {
  const host = ({ 0: 'unreachable-linux', 1: 'vendor-down' } as Record<number, string>)[i] ?? `lic-${String(i).padStart(2, '0')}`;
  const address = i === 2 ? '5280@triad-one-down,5280@cds-lic2,5280@cds-lic3' : `27000@${host}`;
  return { id: `srv-${String(i).padStart(2, '0')}`, site: i < 15 ? 'alpha' : 'beta', address, host: i === 2 ? 'triad-one-down' : host };
});

function farmYaml(servers: typeof SERVERS): string {
  const site = (name: string) =>
    servers
      .filter((s) => s.site === name)
      .map((s) => `      - { id: ${s.id}, kind: flexlm, address: "${s.address}"${s.id === 'srv-03' ? `, debugLog: "${debugLog}", debugLogHost: loghost` : ''} }`)
      .join('\n');
  return `defaults:
  pollInterval: ${INTERVAL_MS}ms
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
rollupInterval: 1s
sites:
  alpha:
    timezone: UTC
    servers:
${site('alpha')}
      - { id: ${SLOW}, kind: flexlm, address: "27000@${SLOW}", command: ${join(FAKE_BIN_DIR, 'lmutil')}, pollInterval: 20s, timeout: 10s }
  beta:
    servers:
${site('beta')}
alerts:
  denialBurst: { count: 3, window: 1m }
`;
}

interface Poll {
  at: number;
  host: string;
  collector: number;
}

const collectors: RunningProcess[] = [];
let gateway: RunningGateway | undefined;
let client: TestClient | undefined;
let redis: Redis | undefined;
let bus: RedisBus | undefined;
/** When each server's polls began, from every metrics message published (the collector stamps a poll's start). */
const polled = new Map<string, number[]>();

afterAll(async () => {
  client?.close();
  await bus?.close();
  await Promise.all([...collectors.map((c) => c.kill()), gateway?.kill()]);
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Every `lmstat -a` the fake lmutil ran, from each collector's own run log: which collector ran which poll. */
function polls(): Poll[] {
  return collectors.flatMap((_, collector) => {
    const file = join(dir, `tool-${collector}.log`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { time: string; args: string[] })
      .filter((run) => run.args.includes('-a'))
      .map((run) => ({ at: Date.parse(run.time), host: /@([^,]+)/.exec(run.args[run.args.indexOf('-c') + 1]!)![1]!, collector }));
  });
}

function pollsOf(host: string, from: number, to = Infinity): Poll[] {
  return polls()
    .filter((p) => p.host === host && p.at >= from && p.at < to)
    .sort((a, b) => a.at - b.at);
}

/** Every server polled in [from, to): consecutive polls (and the window's edges) at most `maxGap` apart, never closer than `minGap`. */
function expectPolledEveryInterval(servers: typeof SERVERS, from: number, to: number, { minGap, maxGap }: { minGap: number; maxGap: number }): void {
  for (const server of servers) {
    const times = (polled.get(server.id) ?? []).filter((t) => t >= from && t < to).sort((a, b) => a - b);
    const gaps = [times[0]! - from, ...times.slice(1).map((t, i) => t - times[i]!), to - times[times.length - 1]!];
    expect(times.length, `${server.id} polled in the window`).toBeGreaterThan(0);
    const why = () =>
      [
        `metrics at ${(polled.get(server.id) ?? []).map((t) => t - from).join(' ')}`,
        `tool runs at ${pollsOf(server.host, 0).map((p) => `${p.at - from}/c${p.collector}`).join(' ')}`,
        ...collectors.flatMap((c) => c.output.filter((l) => l.includes(`"${server.id}"`) && l.includes('"level":40'))),
      ].join('\n');
    expect(Math.max(...gaps), `${server.id}: a poll missed (gaps ${gaps.join(', ')} ms)\n${why()}`).toBeLessThanOrEqual(maxGap);
    expect(Math.min(...gaps.slice(1, -1), Infinity), `${server.id}: polled twice (gaps ${gaps.join(', ')} ms)`).toBeGreaterThanOrEqual(minGap);
  }
}

function startCollector(i: number): RunningProcess {
  const proc = startProcess('collector/main.ts', {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    FARM_CONFIG: farmFile,
    COLLECTOR_CONCURRENCY: '8',
    COLLECTOR_LOCK_MS: String(LOCK_MS),
    HOST_METRICS_INTERVAL_MS: '0',
    // The first collector runs on the debug log's host: it tails it, the others do not.
    COLLECTOR_HOSTNAME: i === 0 ? 'loghost' : `collector-${i}`,
    FAKE_TOOL_LOG: join(dir, `tool-${i}.log`),
  });
  collectors.push(proc);
  return proc;
}

describe('collectors scaled out with BullMQ', () => {
  it('share the polls of 30 servers, survive a kill -9, reschedule on SIGHUP; a gateway client sees metrics, logs and alerts', async () => {
    writeFileSync(farmFile, farmYaml(SERVERS));
    writeFileSync(debugLog, ' 8:00:00 (lmgrd) lmgrd is up\n');
    redis = new Redis(redisUrl);
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
    await bus.subscribe((delivery) => {
      if (delivery.kind !== 'metrics') return;
      const { server, timestamp } = JSON.parse(delivery.json) as { server?: string; timestamp: string };
      if (server) polled.set(server, [...(polled.get(server) ?? []), Date.parse(timestamp)]);
    });
    gateway = await startGateway({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: KEY, METRICS_MIN_INTERVAL_MS: '100' });
    client = await TestClient.connect(`${gateway.wsUrl}/ws/combined?api_key=${KEY}&interval=500`);
    const started = [0, 1, 2].map(startCollector);
    await Promise.all(started.map((c) => c.waitForLog((l) => l.msg === 'farm watched' && l.scheduler === 'bullmq')));

    // Steady state: after a first round, four intervals in which every server is polled once per interval.
    const begin = Date.now();
    const unpolled = () => SERVERS.filter((s) => !(polled.get(s.id) ?? []).some((t) => t >= begin)).map((s) => s.id);
    await waitUntil(() => unpolled().length === 0, () => `a first round of polls; not yet: ${unpolled().join(' ')}\n${collectors.map((c) => c.output.slice(-5).join('\n')).join('\n')}`, 20_000);
    const windowStart = Date.now();
    const windowEnd = windowStart + 3 * INTERVAL_MS;

    // Meanwhile: denials in the tailed debug log (read from where it ended when the tailer started).
    appendFileSync(debugLog, ' 9:00:00 (lmgrd) TIMESTAMP 1/15/2024\n');
    for (const user of ['ann', 'bob', 'cy']) appendFileSync(debugLog, ` 9:30:0${user.length} (adskflex) DENIED: "Maya_Complete" ${user}@ws-1  (Licensed number of users already reached. (-4,342))\n`);
    const byType = (type: string) => client!.messages.filter((m) => m.type === type);
    await client.waitUntil(() => byType('log').filter((m) => (m.metadata as Record<string, unknown>).event === 'denied').length === 3, 15_000, 'the three denials as logs');
    const burst = await client.next((m) => m.type === 'alert' && m.rule === 'denial_burst', 0, 15_000);
    expect(burst).toMatchObject({ status: 'firing', site: 'alpha', key: 'denial_burst:alpha:srv-03:Maya_Complete', metadata: { server: 'srv-03', feature: 'Maya_Complete', denials: 3 } });
    const denied = byType('log').find((m) => (m.metadata as Record<string, unknown>).event === 'denied')!;
    expect(denied).toMatchObject({ level: 'warn', source: 'license-server', site: 'alpha', timestamp: '2024-01-15T09:30:03.000Z', metadata: { server: 'srv-03', feature: 'Maya_Complete', user: 'ann', reason: 'Licensed number of users already reached. (-4,342)' } });

    await waitUntil(() => Date.now() >= windowEnd + 500, 'the end of the measured window', 30_000);
    expectPolledEveryInterval(SERVERS, windowStart, windowEnd, { minGap: INTERVAL_MS * 0.5, maxGap: INTERVAL_MS * 1.5 });
    const inWindow = polls().filter((p) => p.at >= windowStart && p.at < windowEnd);
    expect(new Set(inWindow.map((p) => p.collector)), 'every collector takes a share').toEqual(new Set([0, 1, 2]));

    // The client sees every server's metrics, the roll-ups, and each alert once.
    const metricsSources = new Set(byType('metrics').map((m) => m.source));
    for (const source of [...SERVERS.map((s) => s.id), 'site:alpha', 'site:beta', 'farm']) expect(metricsSources, source).toContain(source);
    const srv05 = byType('metrics').filter((m) => m.source === 'srv-05').at(-1)!;
    expect(srv05).toMatchObject({ site: 'alpha', server: 'srv-05', status: 'up', licenses: { total: 36, used: 5, available: 31 }, features: expect.arrayContaining([expect.objectContaining({ name: 'Maya_Complete', issued: 10, used: 4, expiry: '2025-12-31' })]) });
    const farm = byType('metrics').filter((m) => m.source === 'farm').at(-1)!;
    expect(farm.servers).toMatchObject({ total: 31, down: 1 });
    const rules = new Set(byType('alert').map((m) => m.rule));
    for (const rule of ['server_down', 'vendor_down', 'triad_member_down', 'feature_utilization', 'feature_saturated', 'license_expiry', 'denial_burst']) expect(rules, rule).toContain(rule);
    expect(byType('alert').find((m) => m.rule === 'server_down')).toMatchObject({ status: 'firing', level: 'critical', site: 'alpha', metadata: { server: 'srv-00' } });
    const keys = byType('alert').map((m) => `${m.key} ${m.status}`);
    expect(keys.length, 'no alert said twice').toBe(new Set(keys).size);

    // kill -9 the collector that is in the middle of the slow server's poll.
    const slowBefore = pollsOf(SLOW, 0).length;
    await waitUntil(() => pollsOf(SLOW, 0).length > slowBefore, `the slow server's next poll`, 30_000);
    const victim = pollsOf(SLOW, 0).at(-1)!;
    const killed = collectors[victim.collector]!;
    await killed.kill();
    const killedAt = Date.now();
    // Its poll is taken up by another collector within the lock and one stalled-job check (plus the fake tool's start).
    await waitUntil(() => pollsOf(SLOW, killedAt).some((p) => p.collector !== victim.collector), 'the slow poll retried by another collector', RECOVERY_MS + 5000);
    expect(pollsOf(SLOW, killedAt)[0]!.at - victim.at).toBeLessThan(RECOVERY_MS + 3000);

    // Every server goes on being polled by the two left: at worst a poll that the killed one held waits for recovery.
    // +500 ms, as for the first window: the window's last polls' metrics may still be on their way.
    await waitUntil(() => Date.now() >= killedAt + 3 * INTERVAL_MS + 500, 'three intervals after the kill', 30_000);
    expectPolledEveryInterval(SERVERS, killedAt, killedAt + 3 * INTERVAL_MS, { minGap: 0, maxGap: INTERVAL_MS + RECOVERY_MS + 1000 });
    const lastRound = killedAt + 2 * INTERVAL_MS;
    expectPolledEveryInterval(SERVERS, lastRound, lastRound + INTERVAL_MS, { minGap: INTERVAL_MS * 0.5, maxGap: INTERVAL_MS * 1.5 });

    // SIGHUP with ten servers removed: they are no longer scheduled nor polled, their alerts resolve.
    const kept = SERVERS.slice(0, 20);
    writeFileSync(farmFile, farmYaml(kept));
    const survivors = collectors.filter((c) => c !== killed);
    for (const c of survivors) c.signal('SIGHUP');
    await Promise.all(survivors.map((c) => c.waitForLog((l) => l.msg === 'farm configuration reloaded' && l.servers === 21)));
    const reloadedAt = Date.now();
    const queue = new Queue(POLL_QUEUE, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: new CollectorKeys(prefix).queuePrefix() });
    const schedulers = (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
    await queue.close();
    expect(schedulers).toEqual([...kept.map((s) => s.id), SLOW, 'farm:rollup'].sort());
    const removedResolved = () => byType('alert').filter((m) => m.status === 'resolved' && /was removed from the farm configuration/.test(String(m.message)));
    await client.waitUntil(() => removedResolved().length > 0, 10_000, 'resolved alerts of removed servers');
    expect(removedResolved().every((m) => Number(String(m.key).split(':')[2]!.slice(4)) >= 20)).toBe(true);
    await waitUntil(() => Date.now() >= reloadedAt + 2 * INTERVAL_MS + 500, 'two intervals after the reload (and the last metrics)', 20_000);
    for (const server of SERVERS.slice(20)) expect(pollsOf(server.host, reloadedAt + INTERVAL_MS), server.id).toEqual([]);
    expectPolledEveryInterval(kept, reloadedAt + INTERVAL_MS, reloadedAt + 2 * INTERVAL_MS, { minGap: INTERVAL_MS * 0.5, maxGap: INTERVAL_MS * 1.5 });

    for (const c of survivors) c.signal('SIGTERM');
    expect(await Promise.all(survivors.map((c) => c.exited))).toEqual([0, 0]);
  });
});
