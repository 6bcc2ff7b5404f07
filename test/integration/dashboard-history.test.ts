// The dashboard opened onto a farm with a past (issue 14 §3): an hour of usage history seeded
// through the collectors' history path (UsageRecorder, past timestamps: no waiting an hour) and a
// server snapshot with holders published through the real bus. In Chromium, from a real gateway
// process: the 24 h chart renders from history with the range's peak, time at 100% and denials,
// the feature's holders show longest-held first with linger and reservations marked — and a
// reload keeps all of it, the range included.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UsageRecorder } from '../../collector/history/usage-recorder.ts';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { createLogger } from '../../shared/logger.ts';
import type { FeatureDetail, MetricsMessage } from '../../shared/protocol/index.ts';
import { launchChromium, type Chromium } from '../support/chromium.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';

const API_KEY = `hist-${randomPrefix()}`;
const WAIT = { timeout: 30_000 };
const FEATURE = 'Spectre_XPS';

function snapshot(at: number, used: number, extra: Partial<FeatureDetail> = {}): MetricsMessage {
  return {
    type: 'metrics', timestamp: new Date(at).toISOString(), site: 'berlin', source: 'lic-01', server: 'lic-01', kind: 'flexlm', status: 'up',
    licenses: { total: 10, used, available: 10 - used, utilization: used * 10 },
    features: [{ name: FEATURE, vendor: 'cdslmd', issued: 10, used, queued: 0, reserved: 1, available: 10 - used, utilization: used * 10, ...extra }],
  };
}

describe('dashboard with usage history and holders', () => {
  const prefix = randomPrefix();
  let bus: RedisBus;
  let gateway: RunningGateway;
  let chromium: Chromium;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    bus = await new RedisBus({ url: inject('redisUrl'), prefix }).connect();
    // An hour of history: 5 of 10 in use each minute, all 10 for one minute 30 minutes ago, two denials.
    const logger = createLogger('dashboard-history-test');
    logger.level = 'silent';
    const recorder = new UsageRecorder(bus.usage, logger);
    const now = Date.now();
    for (let m = 60; m >= 2; m--) await recorder.observe(snapshot(now - m * 60_000, m === 30 ? 10 : 5));
    for (const ago of [31, 29]) {
      await recorder.observe({ type: 'log', timestamp: new Date(now - ago * 60_000).toISOString(), level: 'warn', message: 'DENIED', source: 'license-server', site: 'berlin', metadata: { server: 'lic-01', event: 'denied', feature: FEATURE } });
    }
    expect(recorder.failed).toBe(0);
    // Now: a snapshot with holders, through the bus (the gateway loads it as the latest).
    await bus.publish(snapshot(now, 3, {
      holders: [
        { user: 'bob', host: 'ws-7', display: '', version: '2024.1', count: 1, since: new Date(now - 10 * 60_000).toISOString(), linger: null, borrowed: false },
        { user: 'alice', host: 'ws-2', display: '', version: '2024.1', count: 2, since: new Date(now - 2 * 3_600_000).toISOString(), linger: 300, borrowed: false },
      ],
      reservations: [{ kind: 'GROUP', target: 'eng', count: 1 }],
    }));
    [gateway, chromium] = await Promise.all([startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY }), launchChromium()]);
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await chromium?.close();
    await gateway?.kill();
    await bus?.close();
  });

  const chart = `.chart[data-feature="${FEATURE}"]`;

  async function expectHistoryAndHolders(): Promise<void> {
    await page.waitForFunction((sel) => /^24 h: peak 10\/10 at .* · at 100% 1m 00s · 2 denials$/.test(document.querySelector(`${sel} .stats`)?.textContent ?? ''), chart, WAIT);
    expect(await page.locator(`${chart} canvas`).count()).toBeGreaterThan(0);
    // The hour in 4-minute buckets (the 24 h default step), then the live point.
    expect(Number(await page.getAttribute(chart, 'data-points'))).toBeGreaterThanOrEqual(15);
    await page.waitForFunction((sel) => /^Holders: 3 licenses, 2 checkouts$/.test(document.querySelector(`${sel} .holders summary`)?.textContent ?? ''), chart, WAIT);
    await page.click(`${chart} .holders summary`);
    const rows = page.locator(`${chart} .holders tbody tr`);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)))).toEqual([
      ['alice', 'ws-2', expect.any(String), expect.stringMatching(/^2h 0\dm$/), '2', 'linger 5m 00s · lic-01'],
      ['bob', 'ws-7', expect.any(String), expect.stringMatching(/^1\dm \d\ds$/), '1', 'lic-01'],
    ]);
    expect(await page.textContent(`${chart} .holders .reservation`)).toBe('1 reserved for GROUP eng (lic-01)');
  }

  it('draws 24 h from history with the range\'s figures, shows the holders, and keeps it all over a reload', async () => {
    await page.goto(`${gateway.httpUrl}/`);
    await page.fill('#key-input', API_KEY);
    await page.press('#key-input', 'Enter');
    await page.waitForSelector(chart, WAIT);
    await page.selectOption('#chart-range', '24h');
    await expectHistoryAndHolders();

    await page.reload();
    await page.waitForSelector(chart, WAIT);
    expect(await page.inputValue('#chart-range')).toBe('24h');
    await expectHistoryAndHolders();
    expect(pageErrors).toEqual([]);
  });
});
