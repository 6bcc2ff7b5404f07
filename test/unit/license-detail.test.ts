// The license detail on metrics messages is wire protocol (shared/protocol/license-detail.ts):
// what the collector publishes parses with it unchanged, the collector's builders satisfy it for
// every recorded tool output, and messages from other publishers stay valid.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCollector } from '../../collector/index.ts';
import { rollUp, type ServerSnapshot } from '../../collector/license/rollup.ts';
import { serverMetrics } from '../../collector/license/server-metrics.ts';
import { parseLmstat } from '../../collector/parsers/lmstat.ts';
import { parseRlmstat } from '../../collector/parsers/rlmstat.ts';
import { MemoryBus } from '../../shared/bus/index.ts';
import { CollectorConfigSchema, loadConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { FeatureDetailSchema, MetricsMessageSchema, type MetricsMessage } from '../../shared/protocol/index.ts';
import { FIXTURES_DIR, readFixture } from '../fixtures/fixtures.ts';
import { waitUntil } from '../support/wait-until.ts';

const logger = createLogger('test', 'silent');
const TIMESTAMP = '2024-01-15T10:30:00.000Z';

/** Parses with the extended schema and must come out unchanged: nothing stripped, nothing coerced. */
function expectWire(message: unknown, label: string): MetricsMessage {
  const parsed = MetricsMessageSchema.safeParse(message);
  expect(parsed.error?.issues, label).toBeUndefined();
  expect(parsed.data, label).toEqual(message);
  return parsed.data!;
}

describe('license detail on metrics messages', () => {
  it('parses every metrics message the collector publishes from the simulated farm, detail and all', async () => {
    const config = loadConfig(CollectorConfigSchema, { SIM_RATE: '0', SIM_METRICS_INTERVAL_MS: '150', SIM_SEED: '5', SIM_SITES: 'berlin,pune', SIM_SERVERS_PER_SITE: '2' });
    const bus = new MemoryBus();
    const metrics: MetricsMessage[] = [];
    await bus.subscribe((d) => {
      if (d.kind === 'metrics') metrics.push(JSON.parse(d.json) as MetricsMessage);
    });
    const collector = await startCollector({ config, bus, logger });
    const servers = () => metrics.filter((m) => m.server !== undefined && m.status === 'up' && (m.features?.length ?? 0) > 0);
    const rollups = () => metrics.filter((m) => m.scope !== undefined && (m.features?.length ?? 0) > 0);
    try {
      // The publisher validates with the same schema: a refused message ends the wait at once.
      await waitUntil(() => collector.publisher.stats.invalid > 0 || (servers().length >= 4 && rollups().some((m) => m.scope === 'farm') && metrics.some((m) => m.host !== undefined)), 'metrics of four servers, the farm roll-up and host metrics (or a refused message)', 15_000);
    } finally {
      await collector.stop();
    }
    expect(collector.publisher.stats.invalid).toBe(0);

    for (const m of metrics) expectWire(m, String(m.source));
    // The detail is really there, so the parse above checked its shape.
    for (const m of servers()) {
      expect(m.hosts!.length, m.server).toBeGreaterThan(0);
      expect(m.vendors!.length, m.server).toBeGreaterThan(0);
      expect(m.poll, m.server).toBeDefined();
    }
    for (const m of rollups()) expect(m.servers).toMatchObject({ total: expect.any(Number), up: expect.any(Number) });
    for (const m of metrics.filter((m) => m.host !== undefined)) expect(m.servers).toEqual([expect.stringMatching(/^flexlm-/)]);
  });

  it('the collector builds server snapshots and roll-ups that satisfy the schema for every recorded lmstat and rlmstat output', () => {
    const options = { now: new Date(TIMESTAMP), timeZone: 'UTC' };
    const snapshots: ServerSnapshot[] = [];
    const fixtures = [
      ...readdirSync(`${FIXTURES_DIR}/lmstat`).map((file) => ({ file: `lmstat/${file}`, kind: 'flexlm' as const, parse: parseLmstat })),
      ...readdirSync(`${FIXTURES_DIR}/rlmstat`).map((file) => ({ file: `rlmstat/${file}`, kind: 'rlm' as const, parse: parseRlmstat })),
    ];
    expect(fixtures.length).toBeGreaterThan(10);
    for (const { file, kind, parse } of fixtures) {
      const status = parse(readFixture(file), options);
      const message = expectWire(serverMetrics({ id: file, kind, address: '27000@lic-01', site: 'berlin' }, status, TIMESTAMP, { durationMs: 12 }), file);
      for (const f of message.features ?? []) expect(FeatureDetailSchema.safeParse(f).success, `${file}: ${f.name}`).toBe(true);
      snapshots.push({ site: 'berlin', server: file, status: message.status!, features: message.features ?? [] });
    }
    // Every feature kind the parsers know is covered: uncounted, never expiring, dated, down servers.
    const features = snapshots.flatMap((s) => s.features);
    expect(features.some((f) => f.issued === null)).toBe(true);
    expect(features.some((f) => f.expiry === null)).toBe(true);
    expect(features.some((f) => typeof f.expiry === 'string')).toBe(true);
    expect(snapshots.some((s) => s.status === 'down')).toBe(true);

    const { sites, farm } = rollUp(['berlin', 'pune'], [...snapshots.map((snapshot) => ({ site: 'berlin', snapshot })), { site: 'pune', snapshot: undefined }], TIMESTAMP);
    for (const m of [...sites, farm]) expectWire(m, String(m.source));
    expect(farm.features!.length).toBeGreaterThan(0);
  });

  it('keeps other publishers valid: the spec alone and unknown fields pass; a detail field of another shape is refused', () => {
    const spec = { type: 'metrics', timestamp: TIMESTAMP, licenses: { total: 10, used: 5, available: 5, utilization: 50 } };
    expectWire(spec, 'spec only');
    expectWire({ ...spec, source: 'custom', rack: 'B2', features: [{ name: 'X', vendor: null, issued: 1, used: 0, queued: 0, reserved: 0, available: 1, utilization: 0, colour: 'red' }] }, 'unknown fields');
    expect(MetricsMessageSchema.safeParse({ ...spec, features: [{ name: 'X', used: 1 }] }).success).toBe(false);
    expect(MetricsMessageSchema.safeParse({ ...spec, status: 'healthy' }).success).toBe(false);
    expect(MetricsMessageSchema.safeParse({ ...spec, servers: 'lic-01' }).success).toBe(false);
  });
});
