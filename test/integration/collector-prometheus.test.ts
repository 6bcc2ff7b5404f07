// A collector process on a fake lmutil farm serves Prometheus metrics on COLLECTOR_PORT: the
// flexlm_exporter series with the exact figures of the fixture (test/fixtures/lmstat/prom-lic01.txt:
// MATLAB in two version blocks, reservations, a queue), denials counted from its debug log, and
// /readyz that turns 503 while Redis is unreachable and 200 when it is back.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { parsePrometheusText, seriesKey } from '../support/prometheus-text.ts';
import { randomPrefix, startProcess, type RunningProcess } from '../support/processes.ts';
import { RedisServer } from '../support/redis-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'licmon-collector-prom-'));
const debugLog = join(dir, 'mlm.log');
let redis: RedisServer;
let collector: RunningProcess;
let base: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  writeFileSync(debugLog, '');
  const farmFile = join(dir, 'farm.yaml');
  writeFileSync(farmFile, `defaults:
  pollInterval: 500ms
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
sites:
  berlin:
    servers:
      - { id: mlm, kind: flexlm, address: "27000@prom-lic01", debugLog: "${debugLog}" }
      - { id: gone, kind: flexlm, address: "27000@unreachable-linux" }
`);
  collector = startProcess('collector/main.ts', {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: randomPrefix(),
    FARM_CONFIG: farmFile,
    COLLECTOR_TAIL_LOGS: 'all',
    HOST_METRICS_INTERVAL_MS: '0',
  });
  const listening = await collector.waitForLog((l) => l.msg === 'collector http listening', 30_000);
  base = `http://127.0.0.1:${listening.port as number}`;
  await collector.waitForLog((l) => l.msg === 'farm watched', 30_000);
}, 60_000);

afterAll(async () => {
  await collector?.kill();
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

describe('collector /metrics on a fake lmutil farm', () => {
  it('serves the flexlm_exporter series with the fixture\'s figures', async () => {
    const at = (name: string, labels: Record<string, string>) => seriesKey(name, labels);
    const samples = await poll(() => scrape(), (s) => s.has(at('flexlm_feature_used', { app: 'mlm', name: 'MATLAB' })) && s.has(at('licmon_license_server_up', { app: 'gone' })) && (s.get(at('licmon_collector_publish_total', { outcome: 'published' })) ?? 0) > 0, 'the first polls of both servers, published');

    expect(samples.get(at('flexlm_feature_issued', { app: 'mlm', name: 'MATLAB' }))).toBe(12);
    expect(samples.get(at('flexlm_feature_used', { app: 'mlm', name: 'MATLAB' }))).toBe(6);
    expect(samples.get(at('flexlm_feature_issued', { app: 'mlm', name: 'Simulink' }))).toBe(2);
    expect(samples.get(at('flexlm_feature_used', { app: 'mlm', name: 'Simulink' }))).toBe(2);
    expect(samples.get(at('flexlm_feature_issued', { app: 'mlm', name: 'Signal_Toolbox' }))).toBe(5);
    expect(samples.get(at('flexlm_feature_used', { app: 'mlm', name: 'Signal_Toolbox' }))).toBe(0);
    // Per user and version, over both MATLAB blocks: alice holds one v2023 and two v2024 checkouts.
    const users = [...samples].filter(([k]) => k.startsWith('flexlm_feature_used_users{')).sort(([a], [b]) => a.localeCompare(b));
    expect(users).toEqual([
      [at('flexlm_feature_used_users', { app: 'mlm', name: 'MATLAB', user: 'alice', version: '2023' }), 1],
      [at('flexlm_feature_used_users', { app: 'mlm', name: 'MATLAB', user: 'alice', version: '2024' }), 2],
      [at('flexlm_feature_used_users', { app: 'mlm', name: 'MATLAB', user: 'bob', version: '2023' }), 3],
      [at('flexlm_feature_used_users', { app: 'mlm', name: 'Simulink', user: 'bob', version: '2024' }), 2],
    ].sort(([a], [b]) => String(a).localeCompare(String(b))));
    expect(samples.get(at('flexlm_feature_reserved_groups', { app: 'mlm', name: 'MATLAB', group: 'signal' }))).toBe(2);
    expect(samples.get(at('flexlm_feature_reserved_host', { app: 'mlm', name: 'MATLAB', host: 'lab-07' }))).toBe(1);
    expect(samples.get(at('licmon_feature_reserved', { app: 'mlm', name: 'MATLAB' }))).toBe(3);
    expect(samples.get(at('licmon_feature_queued', { app: 'mlm', name: 'Simulink' }))).toBe(1);
    expect(samples.get(at('flexlm_server_status', { app: 'mlm', fqdn: 'prom-lic01', master: 'true', port: '27000', version: '11.18.0' }))).toBe(1);
    expect(samples.get(at('flexlm_vendor_status', { app: 'mlm', name: 'MLM', version: '11.18.0' }))).toBe(1);
    const expiry = [...samples].filter(([k]) => k.startsWith('flexlm_feature_expiration_seconds{') && k.includes('name="MATLAB"'));
    expect(expiry.map(([, v]) => v)).toContain(Date.UTC(2026, 2, 31) / 1000);
    expect([...samples].some(([k, v]) => k.startsWith('flexlm_feature_expiration_seconds{') && k.includes('name="Simulink"') && v === Infinity)).toBe(true);
    expect(samples.get(at('licmon_license_server_info', { app: 'mlm', site: 'berlin', kind: 'flexlm', address: '27000@prom-lic01' }))).toBe(1);
    expect(samples.get(at('licmon_license_server_up', { app: 'mlm' }))).toBe(1);
    expect(samples.get(at('licmon_license_server_up', { app: 'gone' }))).toBe(0);
    expect(samples.get(at('licmon_unparsed_lines_total', { app: 'mlm' })) ?? 0).toBe(0);
    expect(samples.get(at('licmon_poll_duration_seconds_count', { app: 'mlm' }))).toBeGreaterThanOrEqual(1);
    expect(samples.get(at('licmon_collector_publish_total', { outcome: 'published' }))).toBeGreaterThanOrEqual(1);
    expect(samples.get('licmon_collector_publish_buffer')).toBeGreaterThanOrEqual(0);
    expect(samples.get('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts denials per feature from the debug log', async () => {
    appendFileSync(debugLog, '10:01:02 (MLM) DENIED: "MATLAB" dave@ws-09  (Licensed number of users already reached. (-4,342))\n');
    appendFileSync(debugLog, '10:01:03 (MLM) DENIED: "MATLAB" erin@ws-10  (Licensed number of users already reached. (-4,342))\n');
    const key = seriesKey('licmon_feature_denials_total', { app: 'mlm', name: 'MATLAB' });
    const samples = await poll(() => scrape(), (s) => s.get(key) === 2, 'two MATLAB denials');
    expect(samples.get(key)).toBe(2);
  });

  it('answers /healthz, and /readyz 503 while Redis is unreachable, 200 when it is back', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await redis.stop(true);
    const down = await poll(() => fetch(`${base}/readyz`), (r) => r.status === 503, '/readyz 503');
    expect(await down.json()).toEqual({ status: 'not ready', reason: 'Redis is unreachable' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await redis.start();
    const up = await poll(() => fetch(`${base}/readyz`), (r) => r.status === 200, '/readyz 200 again');
    expect(await up.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

/** Ask again until the answer satisfies `done` (30 s bound: the machine is loaded). */
async function poll<T>(ask: () => Promise<T>, done: (answer: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await ask();
    if (done(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer: ${JSON.stringify(answer instanceof Map ? [...answer] : answer)}\n${collector.output.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
