// The dashboard as people use it: real headless Chromium loads it from a real gateway process,
// fed by a real collector process (the simulator) over real Redis. A key typed once, charts that
// draw, a log tail that fills, narrows with a level filter and pauses, an alert that fires and
// resolves, alerts and lines published before the page opened there at once, and a gateway
// restart seen as "reconnecting" then live again with no log line lost.
// Screenshots go to test/artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import type { AlertMessage, LogMessage } from '../../shared/protocol/index.ts';
import { launchChromium, type Chromium } from '../support/chromium.ts';
import { ROOT, randomPrefix, startGateway, startProcess, type RunningGateway, type RunningProcess } from '../support/processes.ts';
import { freePort } from '../support/redis-server.ts';

const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const API_KEY = `dash-${randomPrefix()}`;
const WAIT = { timeout: 20_000 };

describe('dashboard in Chromium', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  const source = `dashboard-test-${prefix}`;
  let env: Record<string, string>;
  let gateway: RunningGateway;
  let collector: RunningProcess;
  let bus: RedisBus;
  let chromium: Chromium;
  let page: Page;
  const pageErrors: string[] = [];
  const socketUrls: string[] = [];

  /** The whole page in a window as tall as it (a full-page capture would paint the sticky bar mid-page). */
  const shot = async (name: string) => {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1440, height });
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`) });
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  const log = (message: string, from = source, site = 'berlin'): LogMessage => ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', source: from, site, message });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureDashboardBuilt();
    env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY, PORT: String(await freePort()), DRAIN_DELAY_MS: '0' };
    collector = startProcess('collector/main.ts', {
      REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, SIM_RATE: '100', SIM_METRICS_INTERVAL_MS: '500', SIM_SEED: '11', SIM_SITES: 'berlin,austin',
    });
    [gateway, bus, chromium] = await Promise.all([
      startGateway(env),
      new RedisBus({ url: redisUrl, prefix }).connect(),
      launchChromium(),
      collector.waitForLog((l) => l.msg === 'collector started'),
    ]);
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // A CSP violation is reported only on the console.
    page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && pageErrors.push(m.text())));
    page.on('websocket', (ws) => socketUrls.push(ws.url()));
  });

  afterAll(async () => {
    await chromium?.close();
    await Promise.all([gateway?.kill(), collector?.kill()]);
    await bus?.close();
  });

  it('asks for the key once, keeps it out of every URL, and goes live', async () => {
    await page.goto(`${gateway.httpUrl}/`);
    await page.waitForSelector('#key-panel:not([hidden])');
    await page.fill('#key-input', API_KEY);
    await page.press('#key-input', 'Enter');
    await page.waitForSelector('#connection[data-state="live"]', WAIT);
    expect(page.url()).toBe(`${gateway.httpUrl}/`);
    expect(await page.evaluate(() => localStorage.getItem('licmon.apiKey'))).toBe(API_KEY);

    // Remembered: a reload goes straight to live, with no form.
    await page.reload();
    await page.waitForSelector('#connection[data-state="live"]', WAIT);
    expect(await page.isHidden('#key-panel')).toBe(true);
    expect(socketUrls.length).toBeGreaterThanOrEqual(2);
    for (const url of socketUrls) {
      // The metrics interval, and the current state: the last 200 lines and the alerts firing now.
      expect(url).toMatch(/\/ws\/combined\?/);
      expect(Object.fromEntries(new URL(url).searchParams)).toEqual({ interval: '1000', lines: '200', active_alerts: '1' });
      expect(url).not.toContain(API_KEY);
    }
  });

  it('shows the farm, draws license charts and host metrics from the simulator', async () => {
    await page.waitForFunction(() => document.querySelectorAll('.server[data-status]').length === 6, undefined, WAIT);
    expect(await page.$$eval('.site', (sites) => sites.map((s) => (s as HTMLElement).dataset.site))).toEqual(['austin', 'berlin']);
    // Triads (every third server is one) show their hosts and master.
    expect(await page.textContent('[data-server="flexlm-berlin-02"] .triad')).toMatch(/^triad [23]\/3 up/);
    expect(await page.$$eval('[data-server="flexlm-berlin-02"] .chip', (chips) => chips.some((c) => c.textContent!.startsWith('★ lic-berlin-02')))).toBe(true);

    // Charts: the "used" series (#58a6ff, and its fill) covers real area in the farm's charts. The
    // picker shows the whole farm once the collectors' farm roll-up has come (a server's own
    // metrics may come first, and are shown until then).
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('.licenses select')?.value === 'farm', undefined, WAIT);
    await page.waitForFunction(() => {
      const drawn = [...document.querySelectorAll<HTMLCanvasElement>('.chart canvas')].filter((canvas) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let used = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i]! < 120 && data[i + 1]! > 130 && data[i + 2]! > 200) used++;
        return used > 400;
      });
      return drawn.length >= 3;
    }, undefined, WAIT);
    expect(await page.$eval('.licenses select', (s) => (s as HTMLSelectElement).value)).toBe('farm');
    for (const expiry of await page.$$eval('.chart .expiry', (e) => e.map((x) => x.textContent))) expect(expiry).toMatch(/^(permanent|expires in \d+d \d+h)$/);

    await page.waitForFunction(() => document.querySelectorAll('tr[data-host]').length === 6, undefined, WAIT);
    expect(await page.textContent('tr[data-host="lic-berlin-01"] td.bar-cell')).toMatch(/% of \d+ cores$/);
    await shot('farm');
  });

  it('tails logs, narrows them with a level filter, pauses and stays bounded', async () => {
    const lines = () => page.$eval('.tail-status', (s) => Number((s as HTMLElement).dataset.lines));
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.tail-status')?.dataset.lines) > 200, undefined, WAIT);

    for (const level of ['debug', 'info', 'error', 'critical']) await page.click(`.level-toggle[data-level="${level}"]`);
    // Only warnings (the simulator's denials) from now on, and some arrive.
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll<HTMLElement>('#tail .line:not([hidden])')];
      return rows.length >= 3 && rows.every((r) => r.dataset.level === 'warn');
    }, undefined, WAIT);
    await shot('tail-warn');

    for (const level of ['debug', 'info', 'error', 'critical']) await page.click(`.level-toggle[data-level="${level}"]`);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#tail .line:not([hidden])')].some((r) => r.dataset.level === 'info'), undefined, WAIT);

    // A pattern the gateway rejects is reported beside the controls; the tail goes on unfiltered.
    const pattern = '#tail-filters input[aria-label="pattern"]';
    await page.fill(pattern, 'denied (');
    await page.press(pattern, 'Enter');
    await page.waitForFunction(() => /rejected this filter .*pattern/.test(document.querySelector('#tail-filters .error')?.textContent ?? ''), undefined, WAIT);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.tail-status')?.dataset.lines) > 20, undefined, WAIT);
    expect(await page.getAttribute('#connection', 'data-state')).toBe('live');
    await page.fill(pattern, '');
    await page.press(pattern, 'Enter');
    expect(await page.textContent('#tail-filters .error')).toBe('');

    // From here on only this test's lines arrive: the simulator is stopped (SIGSTOP), so what the
    // view must show is known exactly and a steady feed cannot push it out of a slow frame.
    collector.signal('SIGSTOP');
    try {
      // Pause freezes the view while lines keep coming underneath.
      await page.click('#tail button.pause');
      // Pause freezes everything received up to the click, shown by the next frame: compare from then.
      await page.waitForFunction(() => /paused, \d+ new/.test(document.querySelector('.tail-status')!.textContent!), undefined, WAIT);
      const frozen = await page.$$eval('#tail .line:not([hidden]) .message', (m) => m.map((x) => x.textContent));
      for (let n = 0; n < 300; n++) await bus.publish(log(`while paused ${n}`));
      await page.waitForFunction(() => Number(/paused, (\d+) new/.exec(document.querySelector('.tail-status')!.textContent!)?.[1]) >= 300, undefined, WAIT);
      expect(await page.$$eval('#tail .line:not([hidden]) .message', (m) => m.map((x) => x.textContent))).toEqual(frozen);
      await page.click('#tail button.pause');

      // A burst of thousands of lines a second, then one more, the last line of all: the view keeps
      // up (a row showed that last line), the buffer stays at 2000 lines, the DOM at one screenful
      // of reused rows, and frames keep coming.
      await page.evaluate(() => {
        const seen = { frames: 0, last: false, peakRate: 0 };
        (window as unknown as { burst_: typeof seen }).burst_ = seen;
        const tick = () => {
          seen.frames++;
          seen.peakRate = Math.max(seen.peakRate, Number(/· (\d+)\/s/.exec(document.querySelector('.tail-status')!.textContent!)?.[1] ?? 0));
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        new MutationObserver((mutations) => {
          if (mutations.some((m) => m.target.textContent === 'burst end')) seen.last = true;
        }).observe(document.querySelector('#tail .viewport')!, { subtree: true, childList: true, characterData: true });
      });
      const started = Date.now();
      for (let batch = 0; batch < 40; batch++) await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish(log(`burst ${batch * 100 + i}`))));
      await bus.publish(log('burst end'));
      const burst = () => page.evaluate(() => (window as unknown as { burst_: { frames: number; last: boolean; peakRate: number } }).burst_);
      await page.waitForFunction(() => (window as unknown as { burst_: { last: boolean } }).burst_.last, undefined, WAIT)
        .catch(async (err: Error) => {
          throw new Error(`${err.message}\n${JSON.stringify(await tailState(page))}\n${JSON.stringify(await burst())}`);
        });
      const seconds = (Date.now() - started) / 1000;
      const { frames } = await burst();
      // The tail's own rate display, a whole second after the burst, shows it.
      await page.waitForTimeout(1100);
      const { peakRate } = await burst();
      expect(peakRate, 'lines per second shown').toBeGreaterThan(1000);
      expect(await lines()).toBe(2000);
      // Still the newest line shown: nothing came after it.
      expect(await page.$$eval('#tail .line:not([hidden])', (rows) => rows.map((r) => [Number((r as HTMLElement).dataset.index), r.querySelector('.message')!.textContent] as const)
        .sort((a, b) => b[0] - a[0])[0])).toEqual([1999, 'burst end']);
      expect(await page.$$eval('#tail .line', (rows) => rows.length)).toBeLessThan(60);
      expect(frames / seconds).toBeGreaterThan(10);
    } finally {
      collector.signal('SIGCONT');
    }
  });

  it('shows an alert firing, then resolved, by severity', async () => {
    const key = `dashboard_test:${prefix}`;
    const alert = (status: AlertMessage['status']): AlertMessage => ({
      type: 'alert', timestamp: new Date().toISOString(), level: status === 'firing' ? 'critical' : 'info', source: 'license-server', site: 'berlin',
      message: status === 'firing' ? `flexlm-berlin-01 is on fire (${prefix})` : `flexlm-berlin-01 is fine again (${prefix})`,
      rule: 'dashboard_test', key, status, metadata: { server: 'flexlm-berlin-01', ...(status === 'resolved' && { firedLevel: 'critical' }) },
    });
    await bus.publish(alert('firing'));
    const active = `ol.alerts.active li[data-key="${key}"]`;
    await page.waitForSelector(`${active}[data-level="critical"]`, WAIT);
    expect(await page.textContent(`${active} .message`)).toBe(`flexlm-berlin-01 is on fire (${prefix})`);
    expect(await page.textContent(`${active} .where`)).toBe('berlin / flexlm-berlin-01 · dashboard_test');
    await page.waitForFunction((sel) => /^firing for \ds$/.test(document.querySelector(`${sel} .when`)?.textContent ?? ''), active, WAIT);
    expect(Number(await page.getAttribute('.severity[data-level="critical"]', 'data-count'))).toBeGreaterThanOrEqual(1);
    await shot('alert-firing');

    await bus.publish(alert('resolved'));
    const resolved = `ol.alerts.resolved li[data-key="${key}"][data-level="critical"]`;
    await page.waitForSelector(resolved, WAIT);
    expect(await page.$(active)).toBeNull();
    expect(await page.textContent(`${resolved} .when`)).toMatch(/^resolved \d+s ago after \d+s$/);
    expect(await page.getAttribute(resolved, 'title')).toBe(`flexlm-berlin-01 is fine again (${prefix})`);
  });

  it('on open shows the alerts already firing, with how long each has fired, and the last 200 lines of each site', async () => {
    const key = `dashboard_open:${prefix}`;
    const firedAt = new Date(Date.now() - 3 * 60_000).toISOString();
    await bus.publish({
      type: 'alert', timestamp: firedAt, level: 'error', source: 'license-server', site: 'berlin', message: `flexlm-berlin-03 down before the page opened (${prefix})`,
      rule: 'server_down', key, status: 'firing', metadata: { server: 'flexlm-berlin-03' },
    });
    // A site of its own, so the simulator's lines cannot push these out of its last 200.
    for (let n = 1; n <= 250; n++) await bus.publish(log(`before open ${String(n).padStart(3, '0')}`, source, 'open-site'));
    const fresh = await chromium.context.newPage();
    try {
      await fresh.goto(`${gateway.httpUrl}/`);
      const active = `ol.alerts.active li[data-key="${key}"]`;
      await fresh.waitForSelector(`${active}[data-level="error"]`, WAIT);
      expect(await fresh.textContent(`${active} .when`)).toMatch(/^firing for 3m \d\ds$/);
      // The tail is a virtual list: read it whole (scrolling through it) until the last of them is in.
      let opened: string[] = [];
      for (const deadline = Date.now() + WAIT.timeout; !opened.includes('before open 250'); ) {
        if (Date.now() > deadline) throw new Error(`the last lines never reached the tail: ${JSON.stringify(await tailState(fresh))}`);
        opened = (await tailMessages(fresh)).filter((m) => m.startsWith('before open '));
      }
      expect(opened).toEqual(Array.from({ length: 200 }, (_, i) => `before open ${String(i + 51).padStart(3, '0')}`));
    } finally {
      await fresh.close();
    }
  });

  it('shows a gateway restart as reconnecting, then live, with no log line lost', async () => {
    // Only this test's lines in the tail: a source filter (its own /ws/logs connection) naming a
    // source nothing has published yet, so the tail starts empty (it asks for the last lines).
    const restartSource = `${source}-restart`;
    await page.fill('#tail-filters input[aria-label="source"]', restartSource);
    await page.press('#tail-filters input[aria-label="source"]', 'Enter');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.tail-status')?.dataset.lines === '0', undefined, WAIT);
    await page.waitForSelector('#connection[data-state="live"]', WAIT);
    await page.evaluate(() => {
      const badge = document.querySelector<HTMLElement>('#connection')!;
      const states: string[] = [];
      (window as unknown as { states_: string[] }).states_ = states;
      new MutationObserver(() => states.push(badge.dataset.state!)).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
    });
    const tailLength = (n: number) => page.waitForFunction((want) => document.querySelector<HTMLElement>('.tail-status')?.dataset.lines === String(want), n, WAIT);
    const publish = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) await bus.publish(log(`line ${String(n).padStart(3, '0')}`, restartSource));
    };

    await publish(1, 20);
    await tailLength(20);
    gateway.signal('SIGTERM');
    await page.waitForSelector('#connection[data-state="reconnecting"]', WAIT);
    await shot('reconnecting');
    expect(await gateway.exited).toBe(0);
    await publish(21, 40); // while no gateway runs
    gateway = await startGateway(env);
    await page.waitForSelector('#connection:is([data-state="live"], [data-state="resumed"])', WAIT);
    await publish(41, 60);
    await tailLength(60);

    const states = await page.evaluate(() => (window as unknown as { states_: string[] }).states_);
    expect(states[0]).toBe('reconnecting');
    expect(['live', 'resumed']).toContain(states.at(-1));
    expect(await tailMessages(page)).toEqual(Array.from({ length: 60 }, (_, i) => `line ${String(i + 1).padStart(3, '0')}`));
    await shot('after-restart');
  });

  it('renders the whole dashboard without a page error or CSP violation', async () => {
    // Back to every line, for a screenshot of everything at work.
    await page.fill('#tail-filters input[aria-label="source"]', '');
    await page.press('#tail-filters input[aria-label="source"]', 'Enter');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.tail-status')?.dataset.lines) > 100, undefined, WAIT);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('all');
    expect(pageErrors).toEqual([]);
  });

  it('forgets the key on request', async () => {
    await Promise.all([page.waitForEvent('load'), page.click('#forget-key')]);
    await page.waitForSelector('#key-panel:not([hidden])');
    expect(await page.evaluate(() => localStorage.getItem('licmon.apiKey'))).toBeNull();
    expect(await page.getAttribute('#connection', 'data-state')).toBe('idle');
  });
});

/** Every line in the tail, in order: the list is virtual, so scroll through it a screen at a time. */
function tailMessages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const viewport = document.querySelector<HTMLElement>('#tail .viewport')!;
    const seen = new Map<number, string>();
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let top = 0; top <= viewport.scrollHeight; top += viewport.clientHeight / 2) {
      viewport.scrollTop = top;
      await frame();
      for (const row of viewport.querySelectorAll<HTMLElement>('.line:not([hidden])')) seen.set(Number(row.dataset.index), row.querySelector('.message')!.textContent!);
    }
    viewport.scrollTop = viewport.scrollHeight;
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, message]) => message);
  });
}

/** What the tail shows, for failure messages. */
function tailState(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    const viewport = document.querySelector<HTMLElement>('#tail .viewport')!;
    const rows = [...viewport.querySelectorAll<HTMLElement>('.line:not([hidden])')];
    return {
      status: document.querySelector('.tail-status')?.textContent, connection: document.querySelector('#connection-detail')?.textContent,
      scrollTop: viewport.scrollTop, scrollHeight: viewport.scrollHeight, clientHeight: viewport.clientHeight,
      rows: rows.map((r) => `${r.dataset.index} ${r.querySelector('.message')?.textContent}`).slice(-5),
    };
  });
}
